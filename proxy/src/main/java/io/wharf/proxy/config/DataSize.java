package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An amount of bytes, written in config as people write sizes: {@code 512}, {@code 16KiB}, {@code
 * 4MiB}, {@code 300GiB}, {@code 1TB}.
 *
 * <p>Units are case-sensitive and mean one thing each: binary {@code KiB MiB GiB TiB} (powers of
 * 1024), decimal {@code kB MB GB TB} (powers of 1000), and plain bytes written {@code B} or with no
 * unit. {@code KB}, {@code k} or {@code m} are refused rather than guessed. One space between the
 * number and the unit is allowed; the number is a whole number.
 */
public record DataSize(long bytes) implements Comparable<DataSize> {
  /** The units a size may be written in, with their factors. */
  public enum Unit {
    B("B", 1L),
    KB("kB", 1000L),
    MB("MB", 1000L * 1000),
    GB("GB", 1000L * 1000 * 1000),
    TB("TB", 1000L * 1000 * 1000 * 1000),
    KIB("KiB", 1L << 10),
    MIB("MiB", 1L << 20),
    GIB("GiB", 1L << 30),
    TIB("TiB", 1L << 40);

    private final String symbol;
    private final long factor;

    Unit(String symbol, long factor) {
      this.symbol = symbol;
      this.factor = factor;
    }

    /** How the unit is written, e.g. {@code MiB}. */
    public String symbol() {
      return symbol;
    }

    /** Bytes in one of this unit. */
    public long factor() {
      return factor;
    }
  }

  static final String EXAMPLES =
      "examples: 512, 16KiB, 4MiB, 300GiB; units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB";

  // at most 19 digits: longer can only overflow, and a bound keeps hostile input cheap
  private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,19})(?: ?([A-Za-z]{1,3}))?");

  public DataSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes < 0: " + bytes);
    }
  }

  /** A size of {@code bytes} bytes. */
  public static DataSize ofBytes(long bytes) {
    return new DataSize(bytes);
  }

  /**
   * A size of {@code amount} units.
   *
   * @throws IllegalArgumentException if {@code amount} is negative or the size overflows a long
   */
  public static DataSize of(long amount, Unit unit) {
    requireNonNull(unit, "unit");
    try {
      return new DataSize(Math.multiplyExact(amount, unit.factor));
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(amount + unit.symbol + " does not fit in a long", e);
    }
  }

  /**
   * Parses a size as written in config.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms when it is not a size
   */
  public static DataSize parse(String text) {
    requireNonNull(text, "text");
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw bad(text, " (" + EXAMPLES + ")");
    }
    Unit unit = unitOf(m.group(2));
    if (unit == null) {
      throw bad(text, ": unknown unit '" + m.group(2) + "' (" + EXAMPLES + ")");
    }
    try {
      return new DataSize(Math.multiplyExact(Long.parseLong(m.group(1)), unit.factor));
    } catch (NumberFormatException | ArithmeticException e) {
      throw bad(text, ": too large");
    }
  }

  /** The size as an int, for APIs that take one (Netty's limits). */
  public int toIntExact() {
    return Math.toIntExact(bytes);
  }

  /**
   * The size in the unit that writes it exactly with the smallest number ({@code 16KiB}, {@code
   * 4MB}, {@code 1536B}); {@link #parse} reads it back to an equal value.
   */
  @Override
  public String toString() {
    Unit best = Unit.B;
    for (Unit unit : Unit.values()) {
      if (bytes % unit.factor == 0 && bytes / unit.factor < bytes / best.factor) {
        best = unit;
      }
    }
    return bytes / best.factor + best.symbol;
  }

  @Override
  public int compareTo(DataSize other) {
    return Long.compare(bytes, other.bytes);
  }

  private static @Nullable Unit unitOf(@Nullable String symbol) {
    if (symbol == null) {
      return Unit.B;
    }
    for (Unit unit : Unit.values()) {
      if (unit.symbol.equals(symbol)) {
        return unit;
      }
    }
    return null;
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("cannot parse '" + text + "' as a size" + why);
  }
}

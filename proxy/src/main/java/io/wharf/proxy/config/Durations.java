package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes {@link Duration}s as people write them in config: {@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 2h}, {@code 1d}, combined largest unit first ({@code 1h30m}, {@code
 * 1m30s500ms}), or ISO-8601 ({@code PT5M}).
 *
 * <p>A number needs a unit, except {@code 0}; {@code d} is exactly 24 hours. Negative durations are
 * refused: no config value means "before now".
 */
public final class Durations {
  static final String EXAMPLES = "examples: 500ms, 30s, 5m, 2h";

  // "ms" before "m": alternation is ordered. At most 19 digits: longer can only overflow.
  private static final Pattern PART = Pattern.compile("([0-9]{1,19})(ms|d|h|m|s)");

  private Durations() {}

  /**
   * Parses a duration as written in config.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms when it is not a
   *     non-negative duration
   */
  public static Duration parse(String text) {
    requireNonNull(text, "text");
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (text.startsWith("-")) {
      throw bad(text, ": durations cannot be negative");
    }
    if (text.startsWith("P") || text.startsWith("p")) {
      return parseIso(text);
    }
    if (text.isEmpty()) {
      throw bad(text, " (" + EXAMPLES + ")");
    }
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    ChronoUnit previous = ChronoUnit.FOREVER;
    int at = 0;
    while (at < text.length()) {
      m.region(at, text.length());
      if (!m.lookingAt()) {
        throw bad(text, " (" + EXAMPLES + ")");
      }
      ChronoUnit unit = unitOf(m.group(2));
      if (unit.compareTo(previous) >= 0) {
        throw bad(text, ": write each unit once, largest first, like 1h30m");
      }
      try {
        total = total.plus(Duration.of(Long.parseLong(m.group(1)), unit));
      } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
        throw bad(text, ": too large");
      }
      previous = unit;
      at = m.end();
    }
    return total;
  }

  /**
   * Writes a duration the way {@link #parse} reads it, in the largest units first ({@code 1h30m},
   * {@code 0s}); a duration with sub-millisecond precision or a negative one is written in
   * ISO-8601.
   */
  public static String format(Duration duration) {
    requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
      return duration.toString();
    }
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    append(out, duration.toDays(), "d");
    append(out, duration.toHoursPart(), "h");
    append(out, duration.toMinutesPart(), "m");
    append(out, duration.toSecondsPart(), "s");
    append(out, duration.toMillisPart(), "ms");
    return out.toString();
  }

  private static Duration parseIso(String text) {
    Duration duration;
    try {
      duration = Duration.parse(text);
    } catch (DateTimeException | ArithmeticException e) {
      throw bad(text, " (" + EXAMPLES + ", or ISO-8601 like PT5M)");
    }
    if (duration.isNegative()) {
      throw bad(text, ": durations cannot be negative");
    }
    return duration;
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount != 0) {
      out.append(amount).append(unit);
    }
  }

  private static ChronoUnit unitOf(String symbol) {
    return switch (symbol) {
      case "d" -> ChronoUnit.DAYS;
      case "h" -> ChronoUnit.HOURS;
      case "m" -> ChronoUnit.MINUTES;
      case "s" -> ChronoUnit.SECONDS;
      default -> ChronoUnit.MILLIS;
    };
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("cannot parse '" + text + "' as a duration" + why);
  }
}

package io.wharf.proxy.admin;

import java.util.Locale;

/** Sizes as an operator reads them: {@code 512 B}, {@code 48.1 MiB}. */
public final class Bytes {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private Bytes() {}

  /** {@code bytes} in the largest binary unit that keeps the number at least 1, one decimal. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}

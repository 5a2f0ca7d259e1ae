package io.wharf.oci;

import java.util.SplittableRandom;

/** Hostile text for the parsers' random-input tests: ASCII, unicode, hex-looking and near-valid. */
final class RandomStrings {
  private static final String HEX = "0123456789abcdef";
  private static final String PRINTABLE;

  static {
    StringBuilder b = new StringBuilder();
    for (char c = 0x20; c < 0x7f; c++) {
      b.append(c);
    }
    PRINTABLE = b.toString();
  }

  /** Characters that are not ASCII but look like it, or that break naive handling. */
  private static final String[] TRICKY = {
    "\u0000", "\n", "\r", "\t", "\u00e9", "\u0130", "\u0131", "\u017f", "\u212a", "\u00df",
    "\uff0f", "\u2215", "\u2024", "\uff0e", "\u200b", "\u202e", "\ufeff", "\ud83d\udc33", "\ud800",
    "\udfff", "\u0301", "\uff41", "\u0660", "%2F", "%2e%2e", "..", "/", "//", "\\", "@", ":", "::",
  };

  private RandomStrings() {}

  /** A random string of up to {@code maxLength} characters, drawn from one of several flavours. */
  static String next(SplittableRandom r, int maxLength, String alphabet) {
    int length = r.nextInt(maxLength + 1);
    StringBuilder b = new StringBuilder(length);
    int flavour = r.nextInt(5);
    while (b.length() < length) {
      switch (flavour) {
        case 0 -> b.append(PRINTABLE.charAt(r.nextInt(PRINTABLE.length())));
        case 1 -> b.append((char) r.nextInt(Character.MAX_VALUE + 1));
        case 2 -> b.append(HEX.charAt(r.nextInt(HEX.length())));
        case 3 -> b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        default -> {
          // mostly the grammar's own alphabet, now and then something tricky
          if (r.nextInt(10) == 0) {
            b.append(TRICKY[r.nextInt(TRICKY.length)]);
          } else {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
          }
        }
      }
    }
    return b.toString();
  }

  /** Lowercase hex of the given length. */
  static String hex(SplittableRandom r, int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(HEX.charAt(r.nextInt(16)));
    }
    return b.toString();
  }

  /** The text with one random edit: a character replaced, inserted or deleted. */
  static String mutate(SplittableRandom r, String text, String alphabet) {
    StringBuilder b = new StringBuilder(text);
    int op = b.length() == 0 ? 1 : r.nextInt(3);
    int at = r.nextInt(b.length() + (op == 1 ? 1 : 0));
    String c =
        r.nextBoolean()
            ? String.valueOf(alphabet.charAt(r.nextInt(alphabet.length())))
            : TRICKY[r.nextInt(TRICKY.length)];
    switch (op) {
      case 0 -> b.replace(at, at + 1, c);
      case 1 -> b.insert(at, c);
      default -> b.deleteCharAt(at);
    }
    return b.toString();
  }

  /** Java-escaped text for failure messages, so control and unpaired characters are visible. */
  static String show(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.append('"').toString();
  }
}

package io.wharf.proxy.route.http;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Seeded hostile text for the header parsers' random-input tests. The base seed is fixed so CI is
 * reproducible; {@code -Dwharf.seed=N} explores others, and every failure names its seed.
 */
final class RandomText {
  static final long BASE = Long.getLong("wharf.seed", 0x5EED_0C1L);

  private static final String[] TRICKY = {
    "\u0000", "\r", "\n", "\t", " ", ",", ";", "=", "-", "/", "*", "\"", "\\", "q=", "bytes=",
    "\u00e9", "\uff0f", "\ud83d\udc33", "\ud800", "99999999999999999999", "-0", "0", "1.0", "0.",
  };

  private RandomText() {}

  static long seed(RepetitionInfo repetition) {
    return BASE * 1_000_003L + repetition.getCurrentRepetition();
  }

  static String describe(long seed) {
    return "seed " + seed + " (rerun with -Dwharf.seed=" + BASE + ")";
  }

  /** Up to {@code maxLength} characters, mostly from {@code alphabet}, now and then tricky. */
  static String next(SplittableRandom r, int maxLength, String alphabet) {
    int length = r.nextInt(maxLength + 1);
    StringBuilder b = new StringBuilder(length);
    while (b.length() < length) {
      int pick = r.nextInt(10);
      if (pick == 0) {
        b.append(TRICKY[r.nextInt(TRICKY.length)]);
      } else if (pick == 1) {
        b.append((char) r.nextInt(Character.MAX_VALUE + 1));
      } else {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
    }
    return b.toString();
  }
}

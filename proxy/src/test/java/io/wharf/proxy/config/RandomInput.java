package io.wharf.proxy.config;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;

/**
 * Random text for parser tests: fragments that are valid on their own glued together with junk, so
 * that many inputs are near misses rather than noise. The seed of a run is printed in every
 * assertion message and can be replayed with {@code -Dwharf.test.seed=N}.
 */
final class RandomInput {
  private static final String JUNK =
      " \t\n-+._:;/[]()%#*0123456789abcdefxyzABCDEFXYZéß\u0000\u00a0";

  private RandomInput() {}

  /** The seed for one repetition: {@code wharf.test.seed} if set, else a fresh random one. */
  static long seed() {
    Long fixed = Long.getLong("wharf.test.seed");
    return fixed != null ? fixed : new SecureRandom().nextLong();
  }

  /** Up to {@code maxParts} parts, each a fragment, a run of digits or a junk character. */
  static String text(Random random, List<String> fragments, int maxParts) {
    StringBuilder out = new StringBuilder();
    int parts = random.nextInt(maxParts + 1);
    for (int i = 0; i < parts; i++) {
      switch (random.nextInt(3)) {
        case 0 -> out.append(fragments.get(random.nextInt(fragments.size())));
        case 1 -> out.append(digits(random));
        default -> out.append(JUNK.charAt(random.nextInt(JUNK.length())));
      }
    }
    return out.toString();
  }

  private static String digits(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> "0";
      case 1 -> Integer.toString(random.nextInt(100));
      case 2 -> Long.toString(random.nextLong() & Long.MAX_VALUE);
      default -> Integer.toString(random.nextInt(70_000));
    };
  }
}

package io.wharf.storage;

import org.junit.jupiter.api.RepetitionInfo;

/**
 * Seeds for the random tests: one base seed per run (override with {@code -Dwharf.seed=N}) and a
 * seed per repetition derived from it, so every failure names the seed that reproduces it.
 */
final class Seeds {
  static final long BASE = Long.getLong("wharf.seed", 0x5EED_5704L);

  private Seeds() {}

  static long of(RepetitionInfo repetition) {
    return BASE * 1_000_003L + repetition.getCurrentRepetition();
  }

  static String describe(long seed, RepetitionInfo repetition) {
    return "seed " + seed + " (base " + BASE + ", repetition " + repetition.getCurrentRepetition()
        + "; rerun with -Dwharf.seed=" + BASE + ")";
  }
}

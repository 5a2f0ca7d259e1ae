package io.wharf.oci;

import org.junit.jupiter.api.RepetitionInfo;

/**
 * Seeds for the random-input tests: one base seed per run (override with {@code -Dwharf.seed=N}),
 * and a seed per repetition derived from it, so every failure names the seed that reproduces it.
 */
public final class Seeds {
  /** The base seed; fixed so that CI runs are reproducible. */
  public static final long BASE = Long.getLong("wharf.seed", 0x5EED_0C1L);

  private Seeds() {}

  /** The seed of this repetition: distinct per repetition, the same on every run with the same base. */
  public static long of(RepetitionInfo repetition) {
    return BASE * 1_000_003L + repetition.getCurrentRepetition();
  }

  /** How a failure names its seed, e.g. {@code seed 123 (base 5, repetition 7)}. */
  public static String describe(long seed, RepetitionInfo repetition) {
    return "seed " + seed + " (base " + BASE + ", repetition " + repetition.getCurrentRepetition()
        + "; rerun with -Dwharf.seed=" + BASE + ")";
  }
}

package io.wharf.bench.report;

/**
 * One number a scenario reports per case and target.
 *
 * @param key the key in the raw JSON
 * @param label the row label in the markdown table
 * @param decimals decimals shown
 * @param higherIsBetter the direction, shown as an arrow; null-like "neither" is {@link Direction#NONE}
 */
public record Metric(String key, String label, int decimals, Direction higherIsBetter) {

  /** Which way is better, for the reader of a ratio. */
  public enum Direction {
    HIGHER("↑"),
    LOWER("↓"),
    NONE("");

    private final String arrow;

    Direction(String arrow) {
      this.arrow = arrow;
    }

    public String arrow() {
      return arrow;
    }
  }

  public static Metric higher(String key, String label, int decimals) {
    return new Metric(key, label, decimals, Direction.HIGHER);
  }

  public static Metric lower(String key, String label, int decimals) {
    return new Metric(key, label, decimals, Direction.LOWER);
  }

  public static Metric plain(String key, String label, int decimals) {
    return new Metric(key, label, decimals, Direction.NONE);
  }
}

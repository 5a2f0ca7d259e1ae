package io.wharf.bench.measure;

import java.util.Collection;

/** Medians of per-round values. */
public final class Stats {

  private Stats() {}

  /** The median of the finite values; NaN if there are none. */
  public static double median(Collection<Double> values) {
    double[] v = values.stream().filter(d -> d != null && Double.isFinite(d)).mapToDouble(Double::doubleValue)
        .sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** How many of the values are finite (the rounds a median stands on). */
  public static int finiteCount(Collection<Double> values) {
    return (int) values.stream().filter(d -> d != null && Double.isFinite(d)).count();
  }
}

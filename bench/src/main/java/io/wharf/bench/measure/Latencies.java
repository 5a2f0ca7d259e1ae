package io.wharf.bench.measure;

import org.HdrHistogram.Histogram;

/** Latencies in microseconds (3 significant digits); one per client thread, merged after a load. */
public final class Latencies {

  private final Histogram histogram = new Histogram(3);

  public void recordNanos(long nanos) {
    histogram.recordValue(Math.max(0, nanos / 1000));
  }

  public void add(Latencies other) {
    histogram.add(other.histogram);
  }

  public long count() {
    return histogram.getTotalCount();
  }

  /** The {@code percentile} (0..100) in milliseconds; NaN when nothing was recorded. */
  public double percentileMillis(double percentile) {
    return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
  }
}

package io.wharf.storage;

/**
 * How much disk the registry may use: past {@code highWater} of the quota an eviction pass starts,
 * and it evicts down to {@code lowWater}, so that passes are rare and each frees a useful amount.
 *
 * @param quotaBytes the configured {@code storage.quota}
 * @param highWater fraction of the quota that starts a pass (0.9 by default)
 * @param lowWater fraction a pass evicts down to (0.8 by default)
 */
public record QuotaPolicy(long quotaBytes, double highWater, double lowWater) {
  public QuotaPolicy {
    if (quotaBytes <= 0) {
      throw new IllegalArgumentException("quota must be positive: " + quotaBytes);
    }
    if (!(lowWater > 0 && lowWater <= highWater && highWater <= 1)) {
      throw new IllegalArgumentException("need 0 < lowWater <= highWater <= 1, got " + lowWater + " and " + highWater);
    }
  }

  /** A quota with the default marks, 90% and 80%. */
  public static QuotaPolicy of(long quotaBytes) {
    return new QuotaPolicy(quotaBytes, 0.9, 0.8);
  }

  /** Usage above this many bytes starts a pass. */
  public long highMark() {
    return (long) (quotaBytes * highWater);
  }

  /** A pass stops once usage is at or below this many bytes. */
  public long lowMark() {
    return (long) (quotaBytes * lowWater);
  }
}

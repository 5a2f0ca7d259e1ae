package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where wharf keeps its data, how big it may grow, and what it keeps whatever happens.
 *
 * @param path the data root: {@code docker/registry/v2/} (the distribution layout) and {@code
 *     index/} (RocksDB) live under it; {@link ConfigLoader} resolves a relative path against the
 *     working directory of the process
 * @param uploadExpiry an upload session untouched this long is purged with its temp file
 * @param quota the most the data folder may hold before eviction starts; zero for no quota
 * @param highWater the share of {@code quota} past which eviction starts, in (0, 1]
 * @param lowWater the share of {@code quota} eviction brings usage back down to, below {@code
 *     highWater}
 * @param gcGrace an unreferenced blob younger than this is never swept: a pull or push may be
 *     about to reference it
 * @param preload a folder of bundles imported at start-up; null for none
 * @param importProject the local project imported images are listed in
 * @param statsFlushInterval how often pull statistics kept in memory are written to the index
 */
public record StorageConfig(
    Path path,
    Duration uploadExpiry,
    DataSize quota,
    double highWater,
    double lowWater,
    Duration gcGrace,
    @Nullable Path preload,
    String importProject,
    Duration statsFlushInterval) {
  /** The defaults of {@code wharf-default.yaml} for every key but the two given. */
  public static StorageConfig of(Path path, Duration uploadExpiry) {
    return new StorageConfig(
        path, uploadExpiry, DataSize.ofBytes(0), 0.90, 0.80, Duration.ofHours(1), null,
        "spectro-images", Duration.ofSeconds(30));
  }

  public StorageConfig {
    requireNonNull(path, "path");
    requireNonNull(uploadExpiry, "uploadExpiry");
    requireNonNull(quota, "quota");
    requireNonNull(gcGrace, "gcGrace");
    requireNonNull(importProject, "importProject");
    requireNonNull(statsFlushInterval, "statsFlushInterval");
    if (uploadExpiry.isNegative() || uploadExpiry.isZero()) {
      throw ConfigException.forKey(
          "uploadExpiry", "must be longer than 0s (an upload needs some time to finish)");
    }
    if (!(highWater > 0 && highWater <= 1)) {
      throw ConfigException.forKey(
          "highWater", "must be a share of the quota above 0 and at most 1, like 0.90; got " + highWater);
    }
    if (!(lowWater > 0 && lowWater < highWater)) {
      throw ConfigException.forKey(
          "lowWater",
          "must be a share of the quota above 0 and below highWater (" + highWater + "), like 0.80; got "
              + lowWater);
    }
    if (importProject.isEmpty()) {
      throw ConfigException.forKey("importProject", "must name a local project");
    }
    if (statsFlushInterval.isZero()) {
      throw ConfigException.forKey(
          "statsFlushInterval", "must be longer than 0s (statistics are flushed periodically)");
    }
  }

  /** Whether a quota is set: with none, nothing is ever evicted. */
  public boolean hasQuota() {
    return quota.bytes() > 0;
  }

  /** Bytes past which eviction starts; {@code Long.MAX_VALUE} with no quota. */
  public long highWaterBytes() {
    return hasQuota() ? (long) (quota.bytes() * highWater) : Long.MAX_VALUE;
  }

  /** Bytes eviction brings usage down to; {@code Long.MAX_VALUE} with no quota. */
  public long lowWaterBytes() {
    return hasQuota() ? (long) (quota.bytes() * lowWater) : Long.MAX_VALUE;
  }

  /** This config with its relative paths resolved against {@code directory}. */
  StorageConfig withPathsUnder(Path directory) {
    return new StorageConfig(
        directory.resolve(path).normalize(), uploadExpiry, quota, highWater, lowWater, gcGrace,
        preload == null ? null : directory.resolve(preload).normalize(), importProject,
        statsFlushInterval);
  }
}

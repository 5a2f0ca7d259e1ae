package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where wharf keeps its data and how long it keeps what nobody finished.
 *
 * @param path the data root: {@code docker/registry/v2/} (the distribution layout) and {@code
 *     index/} (RocksDB) live under it; {@link ConfigLoader} resolves a relative path against the
 *     working directory of the process
 * @param uploadExpiry an upload session untouched this long is purged with its temp file
 */
public record StorageConfig(Path path, Duration uploadExpiry) {
  public StorageConfig {
    requireNonNull(path, "path");
    requireNonNull(uploadExpiry, "uploadExpiry");
    if (uploadExpiry.isNegative() || uploadExpiry.isZero()) {
      throw ConfigException.forKey(
          "uploadExpiry", "must be longer than 0s (an upload needs some time to finish)");
    }
  }
}

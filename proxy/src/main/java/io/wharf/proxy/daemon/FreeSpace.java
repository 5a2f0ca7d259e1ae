package io.wharf.proxy.daemon;

import io.wharf.proxy.admin.Bytes;
import io.wharf.proxy.config.StorageConfig;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check that the data folder's file system can hold the configured quota: operators
 * size the disk up front, and a quota larger than the free space means the disk fills before
 * eviction ever starts (a fetch then fails with "storage is full" instead of evicting).
 */
final class FreeSpace {
  private static final Logger log = LoggerFactory.getLogger(FreeSpace.class);

  private FreeSpace() {}

  /**
   * The warning for a quota of {@code quota} bytes with {@code usable} bytes free on the file
   * system, or empty when it fits (or no quota is set).
   */
  static Optional<String> warning(long quota, long usable, Path data) {
    if (quota <= 0 || usable >= quota) {
      return Optional.empty();
    }
    return Optional.of("the file system of " + data + " has " + Bytes.format(usable) + " free, less than"
        + " storage.quota (" + Bytes.format(quota) + "): the disk may fill before eviction starts");
  }

  /** Logs the warning for this storage config, if any; a file system that cannot be read is logged too. */
  static void check(StorageConfig storage) {
    if (!storage.hasQuota()) {
      return;
    }
    try {
      FileStore store = Files.getFileStore(storage.path());
      warning(storage.quota().bytes(), store.getUsableSpace(), storage.path())
          .ifPresent(w -> log.atWarn()
              .addKeyValue("quota", storage.quota().bytes())
              .addKeyValue("usable", usable(store))
              .log(w));
    } catch (IOException e) {
      log.atWarn().addKeyValue("data", storage.path()).log("cannot read the free space of the data folder: " + e.getMessage());
    }
  }

  private static long usable(FileStore store) {
    try {
      return store.getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }
}

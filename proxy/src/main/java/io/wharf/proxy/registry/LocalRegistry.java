package io.wharf.proxy.registry;

import io.wharf.oci.manifest.ManifestParser;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.storage.Storage;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry over local storage: opens storage, builds the {@code Local*} services, and purges
 * abandoned upload sessions in the background. Closing it closes storage.
 */
public final class LocalRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalRegistry.class);

  private final Storage storage;
  private final Registry registry;
  private final ScheduledExecutorService housekeeping;

  private LocalRegistry(Storage storage, Registry registry, Duration uploadExpiry) {
    this.storage = storage;
    this.registry = registry;
    this.housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "wharf-housekeeping");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(1, Math.min(uploadExpiry.toSeconds() / 4, 600));
    housekeeping.scheduleWithFixedDelay(() -> expireUploads(uploadExpiry), period, period, TimeUnit.SECONDS);
  }

  /** Opens the storage under {@code storage.path} and the services over it. */
  public static LocalRegistry open(WharfConfig config) {
    Storage storage = Storage.open(config.storage().path());
    LocalProjects projects = LocalProjects.of(config);
    ManifestParser parser = new ManifestParser(config.server().maxManifestSize().toIntExact());
    Registry registry =
        new Registry(
            new LocalBlobService(storage.blobs(), projects),
            new LocalUploadService(storage.uploads(), projects),
            new LocalManifestService(
                storage.manifests(), storage.tags(), storage.blobs(), storage.repositories(), projects, parser),
            new LocalListingService(storage.tags(), storage.repositories(), storage.manifests()));
    return new LocalRegistry(storage, registry, config.storage().uploadExpiry());
  }

  public Registry registry() {
    return registry;
  }

  public Storage storage() {
    return storage;
  }

  private void expireUploads(Duration maxAge) {
    try {
      int n = storage.uploads().expire(maxAge);
      if (n > 0) {
        log.atInfo().addKeyValue("uploads", n).addKeyValue("maxAge", maxAge).log("purged abandoned upload sessions");
      }
    } catch (RuntimeException e) {
      log.atWarn().setCause(e).log("upload purge failed; will retry");
    }
  }

  @Override
  public void close() {
    housekeeping.shutdownNow();
    storage.close();
  }
}

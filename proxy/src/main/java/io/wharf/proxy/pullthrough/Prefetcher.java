package io.wharf.proxy.pullthrough;

import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.Platform;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.BlobService;
import io.wharf.proxy.registry.ManifestService;
import io.wharf.proxy.registry.StoredManifest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes an image in the background when its manifest is first cached: the blobs of an image
 * manifest, and for an index the manifests (and so the blobs) of the configured platforms. The
 * next reboot then works offline even if the first client gave up half-way.
 *
 * <p>Uses the same services as clients, so every fetch joins or starts the one {@link Inflight}
 * fetch of its digest. Runs on its own small executor; failures are logged and left for the next
 * pull to retry.
 */
final class Prefetcher implements BiConsumer<RepositoryName, StoredManifest> {
  private static final Logger log = LoggerFactory.getLogger(Prefetcher.class);

  private final ExecutorService executor;
  private final List<String> platforms;
  private volatile ManifestService manifests;
  private volatile BlobService blobs;

  Prefetcher(ExecutorService executor, List<String> platforms) {
    this.executor = executor;
    this.platforms = List.copyOf(platforms);
  }

  /** The services to fetch through (set once, after they are built: they call back into this). */
  void use(ManifestService manifests, BlobService blobs) {
    this.manifests = manifests;
    this.blobs = blobs;
  }

  @Override
  public void accept(RepositoryName repo, StoredManifest stored) {
    try {
      executor.execute(() -> complete(repo, stored.manifest()));
    } catch (RejectedExecutionException shuttingDown) {
      // the next pull completes the image instead
    }
  }

  private void complete(RepositoryName repo, Manifest manifest) {
    if (manifest.isIndex()) {
      for (Descriptor child : manifest.manifests()) {
        if (wanted(child.platform())) {
          fetch(() -> manifests.get(repo, ManifestReference.of(child.digest())), repo, child);
        }
      }
      return;
    }
    for (Descriptor blob : manifest.blobs()) {
      fetch(() -> {
        BlobContent content = blobs.require(repo, blob.digest());
        if (content.growing() != null) {
          content.growing().done().join();
        }
      }, repo, blob);
    }
  }

  private boolean wanted(Platform platform) {
    return platform == null || platforms.contains(platform.toString())
        || platforms.contains(platform.os() + "/" + platform.architecture());
  }

  private static void fetch(Runnable work, RepositoryName repo, Descriptor what) {
    try {
      work.run();
    } catch (OciException | java.util.concurrent.CompletionException e) {
      log.atInfo().addKeyValue("repository", repo).addKeyValue("digest", what.digest())
          .log("background completion stopped; the next pull retries: " + e.getMessage());
    }
  }
}

package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.Platform;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.GrowingBlob;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.registry.StoredManifest;
import io.wharf.storage.Progress;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code wharf prefetch IMAGE...}: pulls whole images through the cache ahead of time, as a
 * client would, so a site can go offline: the manifest (for an index, each manifest of the
 * configured platforms, {@code pullThrough.platforms}) and every config and layer blob. It goes
 * through the same pull-through services as clients, so a fetch already in flight is joined,
 * not repeated, and everything lands exactly as a pull would store it.
 *
 * <p>Images are fetched one after the other, blobs one at a time (the upstream's bandwidth is the
 * limit, and the progress stays readable). The first image that fails stops the task.
 */
public final class PrefetchService {
  /** How often the bytes of a blob still arriving are reported. */
  private static final long POLL_MILLIS = 100;

  private final Registry registry;
  private final WharfConfig config;
  private final LongSupplier nanos;

  /**
   * @param registry the pull-through registry (the daemon's)
   * @param nanos a monotonic clock for the summary's time
   */
  public PrefetchService(Registry registry, WharfConfig config, LongSupplier nanos) {
    this.registry = requireNonNull(registry, "registry");
    this.config = requireNonNull(config, "config");
    this.nanos = requireNonNull(nanos, "nanos");
  }

  /**
   * Prefetches each image.
   *
   * @throws OciException NAME_UNKNOWN for an image of no configured upstream (before anything is
   *     fetched), or whatever the upstream or storage refused for the first image that failed
   */
  public TaskSummary prefetch(List<String> images, Progress progress) {
    List<ImageRef> refs = images.stream().map(i -> ImageRef.resolve(i, config)).toList();
    if (refs.isEmpty()) {
      throw new OciException(OciError.NAME_INVALID, "no image to prefetch");
    }
    long start = nanos.getAsLong();
    Tally tally = new Tally();
    for (ImageRef ref : refs) {
      progress.begin(ref.toString(), -1);
      StoredManifest top = registry.manifests().get(ref.repository(), ref.manifest());
      tally.manifests++;
      if (top.manifest().isIndex()) {
        int wanted = 0;
        for (Descriptor child : top.manifest().manifests()) {
          if (wanted(child.platform())) {
            wanted++;
            Manifest manifest = registry.manifests().get(ref.repository(), ManifestReference.of(child.digest())).manifest();
            tally.manifests++;
            blobs(ref.repository(), manifest, progress, tally);
          }
        }
        if (wanted == 0) {
          progress.note(ref + ": no manifest for the configured platforms " + platforms() + "; only its index is cached");
        }
      } else {
        blobs(ref.repository(), top.manifest(), progress, tally);
      }
      tally.images++;
    }
    double seconds = (nanos.getAsLong() - start) / 1e9;
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("images", (long) tally.images);
    counts.put("manifests", (long) tally.manifests);
    counts.put("blobsFetched", (long) tally.fetched);
    counts.put("blobsCached", (long) tally.cached);
    counts.put("bytesFetched", tally.bytesFetched);
    counts.put("millis", (long) (seconds * 1000));
    String message = String.format(Locale.ROOT,
        "prefetched %s: %s, %s (%d fetched, %d already cached), %s fetched in %.1f s",
        count(tally.images, "image"), count(tally.manifests, "manifest"), count(tally.fetched + tally.cached, "blob"),
        tally.fetched, tally.cached, Bytes.format(tally.bytesFetched), seconds);
    return new TaskSummary(message, counts);
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private void blobs(RepositoryName repo, Manifest manifest, Progress progress, Tally tally) {
    for (Descriptor blob : manifest.blobs()) {
      if (!tally.seen.add(blob.digest())) {
        continue; // a layer shared by two platforms is fetched once
      }
      BlobContent content = registry.blobs().require(repo, blob.digest());
      GrowingBlob growing = content.growing();
      if (growing == null) {
        tally.cached++;
        continue;
      }
      progress.begin(repo + "@" + shortDigest(blob.digest()), blob.size());
      long reported = 0;
      @Nullable BlobContent done = null;
      while (done == null) {
        try {
          done = growing.done().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          long written = growing.written();
          if (written > reported) {
            progress.advance(written - reported);
            reported = written;
          }
        } catch (ExecutionException e) {
          throw asOci(e.getCause(), blob.digest());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new OciException(OciError.UNAVAILABLE, "prefetch interrupted");
        }
      }
      if (done.size() > reported) {
        progress.advance(done.size() - reported);
      }
      tally.fetched++;
      tally.bytesFetched += done.size();
    }
  }

  private boolean wanted(@Nullable Platform platform) {
    if (platform == null) {
      return true;
    }
    for (Platform p : config.pullThrough().effectivePlatforms()) {
      boolean sameArch = p.os().equals(platform.os()) && p.architecture().equals(platform.architecture());
      if (sameArch && (p.variant() == null || p.variant().equals(platform.variant()))) {
        return true;
      }
    }
    return false;
  }

  private List<String> platforms() {
    return config.pullThrough().effectivePlatforms().stream().map(Platform::toString).toList();
  }

  private static OciException asOci(Throwable cause, Digest digest) {
    Throwable t = cause instanceof CompletionException c && c.getCause() != null ? c.getCause() : cause;
    if (t instanceof OciException oci) {
      return oci;
    }
    return new OciException(OciError.UNAVAILABLE, "fetching " + digest + " failed: " + t.getMessage(), t);
  }

  private static String shortDigest(Digest digest) {
    String s = digest.toString();
    int colon = s.indexOf(':');
    return s.substring(0, Math.min(s.length(), colon + 13));
  }

  private static final class Tally {
    final Set<Digest> seen = new HashSet<>();
    int images;
    int manifests;
    int fetched;
    int cached;
    long bytesFetched;
  }
}

package io.wharf.proxy.registry;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.AccessStats;
import io.wharf.storage.Pins;
import org.jspecify.annotations.Nullable;

/**
 * The manifests clients pull and push, with the bookkeeping storage's lifecycle needs: every
 * manifest served counts as a pull of its image (eviction removes the least recently pulled first),
 * and every manifest pushed is pinned (a local push is the only copy there is, and a push to
 * {@code <project>/<host>/<path>} is what an air-gapped site serves offline).
 *
 * <p>Only the routes go through this: wharf's own background fetches and {@code wharf prefetch}
 * use the services beneath, so they never look like a client's pull.
 */
public final class TrackedManifests implements ManifestService {
  private final ManifestService delegate;
  private final AccessStats access;
  private final Pins pins;

  public TrackedManifests(ManifestService delegate, AccessStats access, Pins pins) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.access = requireNonNull(access, "access");
    this.pins = requireNonNull(pins, "pins");
  }

  /** The registry the routes serve: {@code registry} with its manifests tracked. */
  public static Registry over(Registry registry, AccessStats access, Pins pins) {
    return new Registry(registry.blobs(), registry.uploads(), new TrackedManifests(registry.manifests(), access, pins),
        registry.listings());
  }

  @Override
  public StoredManifest get(RepositoryName repo, ManifestReference reference) {
    StoredManifest served = delegate.get(repo, reference);
    // in memory only: a pull never waits for the index (AccessStats flushes in the background)
    access.record(repo, served.manifest().digest());
    return served;
  }

  @Override
  public PutResult put(RepositoryName repo, ManifestReference reference, byte[] body, @Nullable String contentType) {
    PutResult result = delegate.put(repo, reference, body, contentType);
    pins.pin(repo, reference, result.digest(), "push");
    return result;
  }

  @Override
  public void delete(RepositoryName repo, ManifestReference reference) {
    delegate.delete(repo, reference);
    pins.unpin(repo, reference);
  }
}

package io.wharf.proxy.pullthrough;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.BlobService;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.BlobStore;
import java.util.Optional;
import java.util.function.Function;

/**
 * Blobs of proxied repositories: served from disk when cached (in this repository, or in any other,
 * then linked here), otherwise fetched once from the upstream and served while they arrive.
 * Writes are not this service's business: the dispatcher sends them to the local service.
 */
final class PullThroughBlobService implements BlobService {
  private final BlobStore blobs;
  private final Inflight inflight;
  private final Function<RepositoryName, Optional<Upstream>> upstreams;
  private final CacheEvents events;

  PullThroughBlobService(
      BlobStore blobs, Inflight inflight, Function<RepositoryName, Optional<Upstream>> upstreams, CacheEvents events) {
    this.blobs = blobs;
    this.inflight = inflight;
    this.upstreams = upstreams;
    this.events = events;
  }

  @Override
  public BlobContent require(RepositoryName repo, Digest digest) {
    Upstream upstream = upstreams.apply(repo).orElseThrow(() -> unknown(digest));
    Optional<BlobInfo> local = blobs.findIn(repo, digest).or(() -> blobs.link(repo, digest));
    if (local.isPresent()) {
      events.hit(upstream.name(), "blob");
      return content(local.get());
    }
    events.miss(upstream.name(), "blob");
    BlobFetch fetch = inflight.fetch(upstream, repo, digest);
    // a fetch another repository started commits there; link it here too once it lands
    fetch.done().thenRun(() -> blobs.link(repo, digest));
    return BlobContent.growing(digest, fetch);
  }

  @Override
  public void delete(RepositoryName repo, Digest digest) {
    throw new OciException(OciError.DENIED, "blobs of proxied repositories cannot be deleted");
  }

  @Override
  public Optional<BlobContent> mount(RepositoryName repo, RepositoryName from, Digest digest) {
    throw new OciException(OciError.DENIED, "cannot push to a proxied repository");
  }

  static BlobContent content(BlobInfo info) {
    return new BlobContent(info.digest(), info.size(), info.path());
  }

  private static OciException unknown(Digest digest) {
    return new OciException(OciError.BLOB_UNKNOWN, "blob unknown to registry: " + digest);
  }
}

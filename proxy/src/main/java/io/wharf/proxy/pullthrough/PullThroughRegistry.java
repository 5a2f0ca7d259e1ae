package io.wharf.proxy.pullthrough;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.BlobService;
import io.wharf.proxy.registry.ManifestService;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.registry.StoredManifest;
import io.wharf.storage.Storage;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The registry the routes see once upstreams exist: reads of a canonical upstream name
 * ({@code docker.io/library/nginx}) go to the pull-through services of that upstream, everything
 * else (local projects, and every write, which the resolver only lets through for local projects
 * and their rewritten upstream names) to the local services. Whether a repository is proxied is
 * decided here, once per call, never in a route.
 */
public final class PullThroughRegistry {
  private PullThroughRegistry() {}

  /**
   * @param upstreams by host key: the host with {@code :} written {@code _} ({@code upstream.test_5000})
   * @param background runs image completion; the caller owns and shuts it down
   */
  public static Registry over(
      Registry local,
      Storage storage,
      Inflight inflight,
      Map<String, Upstream> upstreams,
      FreshnessPolicy policy,
      List<String> platforms,
      ManifestParser parser,
      CacheEvents events,
      Clock clock,
      ExecutorService background) {
    Function<RepositoryName, Optional<Upstream>> upstreamOf = repo -> Optional.ofNullable(upstreams.get(repo.project()));
    Prefetcher prefetcher = new Prefetcher(background, platforms);
    PullThroughManifestService manifests = new PullThroughManifestService(
        storage.manifests(), storage.tags(), parser, upstreamOf, policy, clock, events, prefetcher);
    PullThroughBlobService blobs = new PullThroughBlobService(storage.blobs(), inflight, upstreamOf, events);
    prefetcher.use(manifests, blobs);
    return new Registry(
        new DispatchingBlobs(local.blobs(), blobs, upstreams),
        local.uploads(),
        new DispatchingManifests(local.manifests(), manifests, upstreams),
        local.listings());
  }

  private record DispatchingBlobs(BlobService local, BlobService proxied, Map<String, Upstream> upstreams)
      implements BlobService {
    @Override
    public BlobContent require(RepositoryName repo, Digest digest) {
      return (upstreams.containsKey(repo.project()) ? proxied : local).require(repo, digest);
    }

    @Override
    public void delete(RepositoryName repo, Digest digest) {
      local.delete(repo, digest);
    }

    @Override
    public Optional<BlobContent> mount(RepositoryName repo, RepositoryName from, Digest digest) {
      return local.mount(repo, from, digest);
    }
  }

  private record DispatchingManifests(ManifestService local, ManifestService proxied, Map<String, Upstream> upstreams)
      implements ManifestService {
    @Override
    public StoredManifest get(RepositoryName repo, ManifestReference reference) {
      return (upstreams.containsKey(repo.project()) ? proxied : local).get(repo, reference);
    }

    @Override
    public PutResult put(RepositoryName repo, ManifestReference reference, byte[] body, @Nullable String contentType) {
      return local.put(repo, reference, body, contentType);
    }

    @Override
    public void delete(RepositoryName repo, ManifestReference reference) {
      local.delete(repo, reference);
    }
  }
}

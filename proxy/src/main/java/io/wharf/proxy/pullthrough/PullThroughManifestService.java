package io.wharf.proxy.pullthrough;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.proxy.registry.ManifestService;
import io.wharf.proxy.registry.StoredManifest;
import io.wharf.proxy.upstream.FetchedManifest;
import io.wharf.proxy.upstream.ManifestHead;
import io.wharf.storage.ManifestEntry;
import io.wharf.storage.ManifestStore;
import io.wharf.storage.TagStore;
import io.wharf.storage.index.TagRecord;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests of proxied repositories (DESIGN.md, "Freshness and offline").
 *
 * <ul>
 *   <li>By digest: immutable, served from disk forever; fetched once on a miss.
 *   <li>By tag: younger than the upstream's {@code tagTtl}, served as is; older, checked with a HEAD
 *       (which Docker Hub does not count against the pull limit) within {@code tagCheckTimeout};
 *       same digest refreshes the check time, a new digest fetches the new manifest.
 *   <li>Any failure of that check while a copy is cached serves the copy (stale-if-error), counted.
 *   <li>A tag never seen is fetched; an upstream 404 is remembered for {@code negativeCacheTtl}.
 * </ul>
 *
 * <p>What upstream returned is stored as is; clients are served by local negotiation in the route,
 * so one client's narrow Accept never changes what a tag means for the next. Concurrent misses for
 * one manifest share one upstream request. Thread-safe.
 */
final class PullThroughManifestService implements ManifestService {
  private static final Logger log = LoggerFactory.getLogger(PullThroughManifestService.class);

  private final ManifestStore manifests;
  private final TagStore tags;
  private final ManifestParser parser;
  private final Function<RepositoryName, Optional<Upstream>> upstreams;
  private final FreshnessPolicy policy;
  private final Clock clock;
  private final CacheEvents events;
  private final BiConsumer<RepositoryName, StoredManifest> firstCached;
  private final Map<String, CompletableFuture<StoredManifest>> misses = new ConcurrentHashMap<>();
  private final Cache<String, Boolean> notFound;
  // a manifest is immutable: parse it once, not on every pull of a tag within its TTL
  private final Cache<Digest, Manifest> parsed = Caffeine.newBuilder().maximumSize(10_000).build();

  PullThroughManifestService(
      ManifestStore manifests,
      TagStore tags,
      ManifestParser parser,
      Function<RepositoryName, Optional<Upstream>> upstreams,
      FreshnessPolicy policy,
      Clock clock,
      CacheEvents events,
      BiConsumer<RepositoryName, StoredManifest> firstCached) {
    this.manifests = manifests;
    this.tags = tags;
    this.parser = parser;
    this.upstreams = upstreams;
    this.policy = policy;
    this.clock = clock;
    this.events = events;
    this.firstCached = firstCached;
    this.notFound = Caffeine.newBuilder().expireAfterWrite(policy.negativeCacheTtl()).maximumSize(10_000).build();
  }

  @Override
  public StoredManifest get(RepositoryName repo, ManifestReference reference) {
    Upstream upstream = upstreams.apply(repo)
        .orElseThrow(() -> new OciException(OciError.NAME_UNKNOWN, "repository name not known to registry: " + repo));
    return reference.isDigest() ? byDigest(upstream, repo, reference.digest()) : byTag(upstream, repo, reference.tag());
  }

  private StoredManifest byDigest(Upstream upstream, RepositoryName repo, Digest digest) {
    Optional<StoredManifest> local = local(repo, digest);
    if (local.isPresent()) {
      events.hit(upstream.name(), "manifest");
      return local.get();
    }
    events.miss(upstream.name(), "manifest");
    return once(repo + "@" + digest, () -> {
      requireNotKnownMissing(repo, digest.toString());
      FetchedManifest fetched = fetch(upstream, repo, digest.toString());
      Manifest m = parser.parse(fetched.body(), fetched.mediaType());
      if (!m.digest().equals(digest)) {
        throw new OciException(OciError.UNAVAILABLE, "upstream sent a manifest with digest " + m.digest() + " for " + digest);
      }
      return store(repo, m, fetched.body(), null);
    });
  }

  private StoredManifest byTag(Upstream upstream, RepositoryName repo, Tag tag) {
    Optional<TagRecord> cached = tags.find(repo, tag);
    if (cached.isEmpty()) {
      events.miss(upstream.name(), "manifest");
      return once(repo + ":" + tag, () -> {
        requireNotKnownMissing(repo, tag.value());
        FetchedManifest fetched = fetch(upstream, repo, tag.value());
        Manifest m = parser.parse(fetched.body(), fetched.mediaType());
        if (fetched.digestHeader() != null && !fetched.digestHeader().equals(m.digest().toString())) {
          throw new OciException(OciError.UNAVAILABLE, "upstream digest header " + fetched.digestHeader() + " does not match the bytes " + m.digest());
        }
        return store(repo, m, fetched.body(), tag);
      });
    }
    TagRecord record = cached.get();
    Digest current = Digest.parse(record.digest());
    long now = clock.millis();
    if (now - record.checkedAt() < upstream.config().tagTtl().toMillis()) {
      events.hit(upstream.name(), "manifest");
      return localOrRefetch(upstream, repo, current);
    }
    try {
      ManifestHead head = upstream.call(
          () -> upstream.client().headManifest(Upstream.remoteName(repo), tag.value()), policy.tagCheckTimeout());
      if (head.digest() == null || head.digest().equals(current)) {
        // no digest header: cannot tell a change; keep the cached copy and check again after the TTL
        tags.touch(repo, tag, now);
        events.hit(upstream.name(), "manifest");
        return localOrRefetch(upstream, repo, current);
      }
      Digest changed = head.digest();
      log.atInfo().addKeyValue("repository", repo).addKeyValue("tag", tag).addKeyValue("from", current)
          .addKeyValue("to", changed).log("tag moved upstream");
      return once(repo + ":" + tag + "@" + changed, () -> {
        StoredManifest fresh = local(repo, changed).orElseGet(() -> {
          FetchedManifest fetched = fetch(upstream, repo, changed.toString());
          Manifest m = parser.parse(fetched.body(), fetched.mediaType());
          if (!m.digest().equals(changed)) {
            throw new OciException(OciError.UNAVAILABLE, "upstream sent " + m.digest() + " for " + changed);
          }
          return new StoredManifest(m, fetched.body());
        });
        return store(repo, fresh.manifest(), fresh.body(), tag);
      });
    } catch (OciException e) {
      // stale-if-error: offline, slow, rate-limited, or even a 404 for a tag we hold (DESIGN.md)
      events.staleServed(upstream.name());
      log.atWarn().addKeyValue("repository", repo).addKeyValue("tag", tag).addKeyValue("upstream", upstream.name())
          .addKeyValue("error", e.getMessage()).log("serving cached tag: upstream check failed");
      return localOrRefetch(upstream, repo, current);
    }
  }

  private StoredManifest localOrRefetch(Upstream upstream, RepositoryName repo, Digest digest) {
    return local(repo, digest).orElseGet(() -> byDigest(upstream, repo, digest));
  }

  private Optional<StoredManifest> local(RepositoryName repo, Digest digest) {
    Optional<ManifestEntry> entry = manifests.find(repo, digest);
    return entry.map(e -> new StoredManifest(
        parsed.get(digest, d -> parser.parse(e.body(), e.record().mediaType(), d)), e.body()));
  }

  private FetchedManifest fetch(Upstream upstream, RepositoryName repo, String reference) {
    try {
      return upstream.call(() -> upstream.client().getManifest(Upstream.remoteName(repo), reference), policy.fetchTimeout());
    } catch (OciException e) {
      if (e.error() == OciError.MANIFEST_UNKNOWN || e.error() == OciError.NAME_UNKNOWN) {
        notFound.put(repo + ":" + reference, Boolean.TRUE);
      }
      throw e;
    }
  }

  private void requireNotKnownMissing(RepositoryName repo, String reference) {
    if (notFound.getIfPresent(repo + ":" + reference) != null) {
      throw new OciException(OciError.MANIFEST_UNKNOWN, "manifest unknown upstream (remembered): " + repo + ":" + reference);
    }
  }

  private StoredManifest store(RepositoryName repo, Manifest m, byte[] body, @Nullable Tag tag) {
    boolean isNew = !manifests.contains(repo, m.digest());
    manifests.put(repo, m, body, tag);
    StoredManifest stored = new StoredManifest(m, body);
    if (isNew) {
      firstCached.accept(repo, stored);
    }
    return stored;
  }

  // concurrent misses for one key share one upstream request
  private StoredManifest once(String key, Supplier<StoredManifest> work) {
    CompletableFuture<StoredManifest> mine = new CompletableFuture<>();
    CompletableFuture<StoredManifest> shared = misses.putIfAbsent(key, mine);
    if (shared != null) {
      try {
        return shared.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      StoredManifest result = work.get();
      mine.complete(result);
      return result;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      misses.remove(key, mine);
    }
  }

  @Override
  public PutResult put(RepositoryName repo, ManifestReference reference, byte[] body, @Nullable String contentType) {
    throw new OciException(OciError.DENIED, "cannot push to a proxied repository");
  }

  @Override
  public void delete(RepositoryName repo, ManifestReference reference) {
    throw new OciException(OciError.DENIED, "cannot delete from a proxied repository");
  }
}

package io.wharf.proxy.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The meters of one upstream, all tagged {@code upstream=<name>}: what the pull-through services
 * record as they serve. Get one from {@link WharfMetrics#upstream(String)} and keep it.
 *
 * <p>Thread-safe; recording never blocks.
 */
public final class UpstreamMetrics {
  private final String upstream;
  private final MeterRegistry registry;
  private final Map<ContentKind, Counter> hits = new EnumMap<>(ContentKind.class);
  private final Map<ContentKind, Counter> misses = new EnumMap<>(ContentKind.class);
  private final Map<FetchFailure, Counter> fetchFailures = new EnumMap<>(FetchFailure.class);
  private final Counter stale;
  private final Counter bytes;
  /** By method and status: a handful of each, made on first use. */
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();

  UpstreamMetrics(String upstream, MeterRegistry registry) {
    this.upstream = requireNonNull(upstream, "upstream");
    this.registry = requireNonNull(registry, "registry");
    for (ContentKind kind : ContentKind.values()) {
      hits.put(kind, counter(WharfMetrics.CACHE_HITS, "cache hits", WharfMetrics.KIND, kind.label()));
      misses.put(kind, counter(WharfMetrics.CACHE_MISSES, "cache misses", WharfMetrics.KIND, kind.label()));
    }
    for (FetchFailure reason : FetchFailure.values()) {
      fetchFailures.put(reason, counter(
          WharfMetrics.BLOB_FETCH_FAILURES, "blob fetches that committed nothing", WharfMetrics.REASON, reason.label()));
    }
    this.stale = Counter.builder(WharfMetrics.STALE_SERVED)
        .description("cached content served because the upstream failed (stale-if-error)")
        .tag(WharfMetrics.UPSTREAM, upstream)
        .register(registry);
    this.bytes = Counter.builder(WharfMetrics.UPSTREAM_BYTES)
        .description("body bytes received from the upstream")
        .baseUnit("bytes")
        .tag(WharfMetrics.UPSTREAM, upstream)
        .register(registry);
  }

  /** The upstream's name, the value of the {@code upstream} label. */
  public String upstream() {
    return upstream;
  }

  /** A manifest or blob was served from disk (for a tag: within its TTL or confirmed by a HEAD). */
  public void cacheHit(ContentKind kind) {
    hits.get(requireNonNull(kind, "kind")).increment();
  }

  /** A manifest or blob had to be fetched from the upstream. */
  public void cacheMiss(ContentKind kind) {
    misses.get(requireNonNull(kind, "kind")).increment();
  }

  /** A cached copy was served because the upstream failed or the breaker is open. */
  public void staleServed() {
    stale.increment();
  }

  /**
   * One request to the upstream ended.
   *
   * @param method the HTTP method ({@code GET}, {@code HEAD})
   * @param status the response status, or 0 when none came (connect failure, timeout, reset)
   */
  public void upstreamRequest(String method, int status) {
    String m = method.toUpperCase(Locale.ROOT);
    requests.computeIfAbsent(m + ' ' + status, k -> Counter.builder(WharfMetrics.UPSTREAM_REQUESTS)
            .description("requests to the upstream by method and status (0: no response)")
            .tag(WharfMetrics.UPSTREAM, upstream)
            .tag(WharfMetrics.METHOD, m)
            .tag(WharfMetrics.STATUS, Integer.toString(status))
            .register(registry))
        .increment();
  }

  /** Body bytes received from the upstream (manifests and blobs). */
  public void upstreamBytes(long count) {
    if (count > 0) {
      bytes.increment(count);
    }
  }

  /** A blob fetch ended without a commit. */
  public void blobFetchFailed(FetchFailure reason) {
    fetchFailures.get(requireNonNull(reason, "reason")).increment();
  }

  private Counter counter(String name, String description, String key, String value) {
    return Counter.builder(name)
        .description(description)
        .tag(WharfMetrics.UPSTREAM, upstream)
        .tag(key, value)
        .register(registry);
  }
}

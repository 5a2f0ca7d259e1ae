package io.wharf.proxy.daemon;

import io.wharf.proxy.metrics.ContentKind;
import io.wharf.proxy.metrics.FetchFailure;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.pullthrough.CacheEvents;

/** The cache's events counted in Micrometer. */
final class MetricsEvents implements CacheEvents {
  private final WharfMetrics metrics;

  MetricsEvents(WharfMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void hit(String upstream, String kind) {
    metrics.upstream(upstream).cacheHit(ContentKind.of(kind));
  }

  @Override
  public void miss(String upstream, String kind) {
    metrics.upstream(upstream).cacheMiss(ContentKind.of(kind));
  }

  @Override
  public void staleServed(String upstream) {
    metrics.upstream(upstream).staleServed();
  }

  @Override
  public void fetchFailed(String upstream, String reason) {
    metrics.upstream(upstream).blobFetchFailed(FetchFailure.of(reason));
  }

  @Override
  public void upstreamBytes(String upstream, long bytes) {
    metrics.upstream(upstream).upstreamBytes(bytes);
  }
}

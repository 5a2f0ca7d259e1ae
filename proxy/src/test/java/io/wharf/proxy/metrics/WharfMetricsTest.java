package io.wharf.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a scrape shows after recording, by the names an operator's dashboards use. */
final class WharfMetricsTest {
  private final WharfMetrics metrics = new WharfMetrics();

  @AfterEach
  void close() {
    metrics.close();
  }

  @Test
  void countsRequestsByRouteAndStatus() {
    metrics.requestServed(RouteLabel.MANIFEST, 200);
    metrics.requestServed(RouteLabel.MANIFEST, 200);
    metrics.requestServed(RouteLabel.BLOB, 499);

    assertThat(metrics.scrape())
        .contains("# TYPE wharf_requests_total counter")
        .contains("wharf_requests_total{route=\"manifest\",status=\"200\"} 2.0")
        .contains("wharf_requests_total{route=\"blob\",status=\"499\"} 1.0");
  }

  @Test
  void countsCacheAndUpstreamEventsPerUpstream() {
    UpstreamMetrics hub = metrics.upstream("dockerhub");
    assertThat(metrics.upstream("dockerhub")).isSameAs(hub);
    hub.cacheHit(ContentKind.MANIFEST);
    hub.cacheHit(ContentKind.BLOB);
    hub.cacheHit(ContentKind.BLOB);
    hub.cacheMiss(ContentKind.BLOB);
    hub.staleServed();
    hub.upstreamRequest("GET", 200);
    hub.upstreamRequest("head", 200);
    hub.upstreamRequest("GET", 0);
    hub.upstreamBytes(1024);
    hub.upstreamBytes(0);
    hub.blobFetchFailed(FetchFailure.DIGEST_MISMATCH);
    metrics.upstream("ghcr").cacheMiss(ContentKind.MANIFEST);

    assertThat(metrics.scrape())
        .contains("wharf_cache_hits_total{kind=\"manifest\",upstream=\"dockerhub\"} 1.0")
        .contains("wharf_cache_hits_total{kind=\"blob\",upstream=\"dockerhub\"} 2.0")
        .contains("wharf_cache_misses_total{kind=\"blob\",upstream=\"dockerhub\"} 1.0")
        .contains("wharf_cache_misses_total{kind=\"manifest\",upstream=\"ghcr\"} 1.0")
        .contains("wharf_stale_served_total{upstream=\"dockerhub\"} 1.0")
        .contains("wharf_upstream_requests_total{method=\"GET\",status=\"200\",upstream=\"dockerhub\"} 1.0")
        .contains("wharf_upstream_requests_total{method=\"HEAD\",status=\"200\",upstream=\"dockerhub\"} 1.0")
        .contains("wharf_upstream_requests_total{method=\"GET\",status=\"0\",upstream=\"dockerhub\"} 1.0")
        .contains("wharf_upstream_bytes_total{upstream=\"dockerhub\"} 1024.0")
        .contains("wharf_blob_fetch_failures_total{reason=\"digest_mismatch\",upstream=\"dockerhub\"} 1.0")
        .contains("wharf_blob_fetch_failures_total{reason=\"truncated\",upstream=\"dockerhub\"} 0.0");
  }

  @Test
  void readsTheInflightGaugeAtEachScrape() {
    AtomicInteger inflight = new AtomicInteger(3);
    metrics.registerInflight(inflight::get);
    assertThat(metrics.scrape()).contains("wharf_fetches_inflight 3.0");
    inflight.set(0);
    assertThat(metrics.scrape()).contains("wharf_fetches_inflight 0.0");
  }

  @Test
  void includesTheJvm() {
    assertThat(metrics.scrape()).contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
  }

  @Test
  void writesTheSameScrapeToAStream() throws Exception {
    metrics.requestServed(RouteLabel.TAGS, 200);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.scrape(out);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("wharf_requests_total{route=\"tags\",status=\"200\"} 1.0");
    assertThat(WharfMetrics.CONTENT_TYPE).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void labelValuesRoundTrip() {
    for (ContentKind kind : ContentKind.values()) {
      assertThat(ContentKind.of(kind.label())).isSameAs(kind);
    }
    for (FetchFailure reason : FetchFailure.values()) {
      assertThat(FetchFailure.of(reason.label())).isSameAs(reason);
    }
    assertThat(FetchFailure.UPSTREAM_ERROR.label()).isEqualTo("upstream_error");
    assertThatThrownBy(() -> ContentKind.of("layer")).isInstanceOf(IllegalArgumentException.class);
  }
}

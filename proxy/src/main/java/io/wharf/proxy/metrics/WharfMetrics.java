package io.wharf.proxy.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wharf.proxy.upstream.BreakerState;
import io.wharf.proxy.upstream.CircuitBreaker;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * wharf's meters, in one Prometheus registry: every meter name is declared here once, and the
 * rest of the daemon records through these methods. Names are Micrometer's dotted form; the scrape
 * shows them the Prometheus way ({@code wharf.cache.hits} is {@code wharf_cache_hits_total}).
 *
 * <pre>
 * wharf_requests_total{route,status}                 requests answered, by route kind (RouteLabel)
 * wharf_cache_hits_total{upstream,kind}              kind: manifest, blob
 * wharf_cache_misses_total{upstream,kind}
 * wharf_stale_served_total{upstream}                 stale-if-error serves
 * wharf_upstream_requests_total{upstream,method,status}   status 0: no response
 * wharf_upstream_bytes_total{upstream}
 * wharf_blob_fetch_failures_total{upstream,reason}   digest_mismatch, truncated, upstream_error
 * wharf_fetches_inflight                             blob fetches running
 * wharf_upstream_breaker_level{upstream}             0 healthy, 1 degraded, 2 offline
 * wharf_upstream_breaker_state{upstream,state}       1 for the current state, 0 for the others
 * wharf_connections_open                             client connections open, over both listeners
 * wharf_connections_refused_total                    connections closed at once: server.maxConnections reached
 * </pre>
 *
 * plus the JVM's memory, GC, threads, CPU, uptime and file descriptors.
 *
 * <p>Thread-safe.
 */
public final class WharfMetrics implements AutoCloseable {
  /** What {@link #scrape(OutputStream)} writes: the Prometheus text format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  static final String REQUESTS = "wharf.requests";
  static final String CACHE_HITS = "wharf.cache.hits";
  static final String CACHE_MISSES = "wharf.cache.misses";
  static final String STALE_SERVED = "wharf.stale.served";
  static final String UPSTREAM_REQUESTS = "wharf.upstream.requests";
  static final String UPSTREAM_BYTES = "wharf.upstream.bytes";
  static final String BLOB_FETCH_FAILURES = "wharf.blob.fetch.failures";
  static final String FETCHES_INFLIGHT = "wharf.fetches.inflight";
  static final String BREAKER_LEVEL = "wharf.upstream.breaker.level";
  static final String BREAKER_STATE = "wharf.upstream.breaker.state";
  static final String CONNECTIONS_OPEN = "wharf.connections.open";
  static final String CONNECTIONS_REFUSED = "wharf.connections.refused";

  static final String ROUTE = "route";
  static final String STATUS = "status";
  static final String UPSTREAM = "upstream";
  static final String KIND = "kind";
  static final String METHOD = "method";
  static final String REASON = "reason";
  static final String STATE = "state";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  /** By route and status: a few dozen at most, made on first use. */
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, UpstreamMetrics> upstreams = new ConcurrentHashMap<>();

  /** A registry with wharf's meters and the JVM's. */
  public WharfMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * The registry itself, for binding a library's own meters (a Caffeine cache, an executor);
   * wharf's meters go through the methods of this class instead.
   */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * A request was answered (or abandoned by its client: 499).
   *
   * @param route the route kind, one of {@link RouteLabel}'s few values
   */
  public void requestServed(String route, int status) {
    requests.computeIfAbsent(route + ' ' + status, k -> Counter.builder(REQUESTS)
            .description("requests answered, by route kind and status")
            .tag(ROUTE, route)
            .tag(STATUS, Integer.toString(status))
            .register(registry))
        .increment();
  }

  /** Shows the number of open client connections, read from {@code open} at each scrape. */
  public void registerOpenConnections(Supplier<Number> open) {
    requireNonNull(open, "open");
    Gauge.builder(CONNECTIONS_OPEN, open)
        .description("client connections open, over both listeners")
        .strongReference(true)
        .register(registry);
  }

  /** A client connection was closed at once because {@code server.maxConnections} were open. */
  public void connectionRefused() {
    Counter.builder(CONNECTIONS_REFUSED)
        .description("client connections closed at once because server.maxConnections were open")
        .register(registry)
        .increment();
  }

  /** The meters of one upstream, made on first use; callers keep the result. */
  public UpstreamMetrics upstream(String name) {
    requireNonNull(name, "name");
    return upstreams.computeIfAbsent(name, n -> new UpstreamMetrics(n, registry));
  }

  /** Shows the number of blob fetches running, read from {@code inflight} at each scrape. */
  public void registerInflight(Supplier<Number> inflight) {
    requireNonNull(inflight, "inflight");
    Gauge.builder(FETCHES_INFLIGHT, inflight)
        .description("blob fetches from upstreams in progress")
        .strongReference(true)
        .register(registry);
  }

  /**
   * Shows an upstream's breaker state, read at each scrape. Registering the same upstream again
   * replaces the earlier breaker.
   */
  public void registerBreaker(String upstream, CircuitBreaker breaker) {
    requireNonNull(upstream, "upstream");
    requireNonNull(breaker, "breaker");
    registry.find(BREAKER_LEVEL).tag(UPSTREAM, upstream).meters().forEach(registry::remove);
    registry.find(BREAKER_STATE).tag(UPSTREAM, upstream).meters().forEach(registry::remove);
    Gauge.builder(BREAKER_LEVEL, breaker, b -> b.state().level())
        .description("circuit breaker of the upstream: 0 healthy, 1 degraded, 2 offline")
        .tag(UPSTREAM, upstream)
        .strongReference(true)
        .register(registry);
    for (BreakerState state : BreakerState.values()) {
      Gauge.builder(BREAKER_STATE, breaker, b -> b.state() == state ? 1 : 0)
          .description("1 for the state the upstream's circuit breaker is in")
          .tag(UPSTREAM, upstream)
          .tag(STATE, state.label())
          .strongReference(true)
          .register(registry);
    }
  }

  /** Writes every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
  public void scrape(OutputStream out) throws IOException {
    registry.scrape(out, CONTENT_TYPE);
  }

  /** The scrape as text (tests, debugging). */
  public String scrape() {
    return registry.scrape(CONTENT_TYPE);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}

package io.wharf.proxy.daemon;

import io.netty.channel.EventLoopGroup;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.PullThroughConfig;
import io.wharf.proxy.config.UpstreamConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.pullthrough.Upstream;
import io.wharf.proxy.upstream.BreakerState;
import io.wharf.proxy.upstream.CircuitBreaker;
import io.wharf.proxy.upstream.NettyUpstreamClient;
import io.wharf.proxy.upstream.ProxySelection;
import io.wharf.proxy.upstream.UpstreamClient;
import io.wharf.proxy.upstream.UpstreamClientSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Every configured upstream with its client and circuit breaker, keyed by host key (the canonical
 * name's first component). Owns the clients and breakers; closing it closes them.
 */
final class UpstreamSet implements AutoCloseable {
  private final Map<String, Upstream> byHostKey = new LinkedHashMap<>();
  private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
  private final List<UpstreamClient> clients = new java.util.ArrayList<>();

  /**
   * @param loops event loops every client shares (an edge host has few cores; a loop per upstream
   *     would idle six of them for the default upstreams)
   */
  UpstreamSet(List<UpstreamConfig> configs, PullThroughConfig pullThrough, ProxySelection proxies,
      EventLoopGroup loops, ScheduledExecutorService scheduler, WharfMetrics metrics) {
    UpstreamClientSettings settings =
        UpstreamClientSettings.of(pullThrough.connectTimeout(), pullThrough.readTimeout(), pullThrough.retries());
    for (UpstreamConfig config : configs) {
      NettyUpstreamClient client = NettyUpstreamClient.builder(config).settings(settings).proxies(proxies).eventLoopGroup(loops).build();
      clients.add(client);
      CircuitBreaker breaker = new CircuitBreaker(
          config.name(), CircuitBreaker.Settings.of(pullThrough.breaker()), scheduler, () -> probe(client));
      breakers.put(config.name(), breaker);
      metrics.registerBreaker(config.name(), breaker);
      byHostKey.put(config.hostKey(), new Upstream(config, client, breaker));
    }
  }

  Map<String, Upstream> byHostKey() {
    return Map.copyOf(byHostKey);
  }

  /**
   * Whether a repository's content came from an upstream that is not healthy right now: eviction
   * keeps it, as it could not be fetched again. Local repositories (no upstream) are never kept
   * for this reason.
   */
  boolean unreachable(RepositoryName repo) {
    String first = repo.value().substring(0, Math.max(repo.value().indexOf('/'), 0));
    Upstream upstream = byHostKey.get(first);
    return upstream != null && breakers.get(upstream.name()).state() != BreakerState.HEALTHY;
  }

  Map<String, BreakerState> states() {
    Map<String, BreakerState> out = new LinkedHashMap<>();
    breakers.forEach((name, b) -> out.put(name, b.state()));
    return out;
  }

  // any answer at all, a 404 or 401 included, means the upstream is reachable again
  private static CompletableFuture<Boolean> probe(UpstreamClient client) {
    return client.headManifest("wharf/probe", "latest").handle((ok, failure) -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      return cause == null || (cause instanceof OciException e && e.error() != OciError.UNAVAILABLE);
    });
  }

  @Override
  public void close() {
    breakers.values().forEach(CircuitBreaker::close);
    clients.forEach(UpstreamClient::close);
  }
}

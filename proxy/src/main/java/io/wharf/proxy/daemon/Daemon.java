package io.wharf.proxy.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.proxy.config.PullThroughConfig;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.pullthrough.CacheEvents;
import io.wharf.proxy.pullthrough.FreshnessPolicy;
import io.wharf.proxy.pullthrough.Inflight;
import io.wharf.proxy.pullthrough.PullThroughRegistry;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.server.WharfServer;
import io.wharf.proxy.upstream.ProxySelection;
import io.wharf.proxy.upstream.UpstreamResolver;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running wharf: storage, upstreams, the pull-through registry, metrics and the server, started
 * in that order and closed in reverse. {@code wharf serve} and the tests' server extension both
 * start one, so tests run exactly what users run.
 */
public final class Daemon implements AutoCloseable {
  private final LocalRegistry local;
  private final WharfMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService diskWriters;
  private final ExecutorService background;
  private final EventLoopGroup upstreamLoops;
  private final UpstreamSet upstreams;
  private final WharfServer server;

  private Daemon(WharfConfig config, Map<String, String> env) {
    this.local = LocalRegistry.open(config);
    this.metrics = new WharfMetrics();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("wharf-breaker", true));
    this.diskWriters = Executors.newFixedThreadPool(4, new DefaultThreadFactory("wharf-fetch", true));
    this.background = Executors.newFixedThreadPool(2, new DefaultThreadFactory("wharf-complete", true));
    PullThroughConfig pullThrough = config.pullThrough();
    this.upstreamLoops = new MultiThreadIoEventLoopGroup(
        2, new DefaultThreadFactory("wharf-upstream", true), Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.upstreams = new UpstreamSet(
        config.upstreams(), pullThrough, ProxySelection.fromEnvironment(env), upstreamLoops, scheduler, metrics);
    CacheEvents events = new MetricsEvents(metrics);
    Inflight inflight = new Inflight(local.storage().uploads(), diskWriters, events);
    metrics.registerInflight(inflight::size);
    Registry registry = PullThroughRegistry.over(
        local.registry(),
        local.storage(),
        inflight,
        upstreams.byHostKey(),
        new FreshnessPolicy(pullThrough.tagCheckTimeout(), pullThrough.negativeCacheTtl(), pullThrough.readTimeout()),
        pullThrough.effectivePlatforms().stream().map(Object::toString).toList(),
        new ManifestParser(config.server().maxManifestSize().toIntExact()),
        events,
        Clock.systemUTC(),
        background);
    Routes routes = new Routes(
        registry, config.server().maxManifestSize().toIntExact(), Routes.Extras.of(metrics, upstreams::states),
        UpstreamResolver.of(config));
    try {
      this.server = WharfServer.start(config.server(), routes, metrics);
    } catch (RuntimeException e) {
      stopAfterServer();
      throw e;
    }
  }

  /**
   * Starts wharf.
   *
   * @param env the environment (HTTPS_PROXY, NO_PROXY)
   */
  public static Daemon start(WharfConfig config, Map<String, String> env) {
    return new Daemon(config, env);
  }

  public WharfServer server() {
    return server;
  }

  public LocalRegistry local() {
    return local;
  }

  public WharfMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      stopAfterServer();
    }
  }

  private void stopAfterServer() {
    for (ExecutorService e : List.of(background, scheduler, diskWriters)) {
      e.shutdownNow();
    }
    upstreams.close();
    upstreamLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    metrics.close();
    local.close();
  }
}

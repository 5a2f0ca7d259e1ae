package io.wharf.proxy.daemon;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.proxy.admin.AdminApi;
import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.PinService;
import io.wharf.proxy.admin.PrefetchService;
import io.wharf.proxy.admin.TaskSummary;
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
import io.wharf.storage.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running wharf: storage, upstreams, the pull-through registry, metrics and the server, started
 * in that order and closed in reverse. {@code wharf serve} and the tests' server extension both
 * start one, so tests run exactly what users run.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final LocalRegistry local;
  private final WharfMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService diskWriters;
  private final ExecutorService background;
  private final ExecutorService adminTasks;
  private final BackgroundJobs jobs;
  private final PinService pins;
  private final PrefetchService prefetch;
  private final @Nullable MaintenanceTasks maintenance;
  private final EventLoopGroup upstreamLoops;
  private final UpstreamSet upstreams;
  private final WharfServer server;

  private Daemon(WharfConfig config, Map<String, String> env) {
    this.local = LocalRegistry.open(config);
    this.metrics = new WharfMetrics();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("wharf-breaker", true));
    this.diskWriters = Executors.newFixedThreadPool(4, new DefaultThreadFactory("wharf-fetch", true));
    this.background = Executors.newFixedThreadPool(2, new DefaultThreadFactory("wharf-complete", true));
    this.adminTasks = Executors.newSingleThreadExecutor(new DefaultThreadFactory("wharf-admin", true));
    this.jobs = new BackgroundJobs();
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
    // Access statistics: the manifest GETs that count as a pull are served in
    // PullThroughManifestService.get (cached and fetched alike) and LocalManifestService.get; each
    // calls storage.access().record(repo, digest) once storage has it (issue 5, H1).
    this.pins = new PinService(local.storage(), config);
    this.prefetch = new PrefetchService(registry, config, System::nanoTime);
    // The storage-backed MaintenanceTasks (import, export, ls, gc, fsck, index rebuild) lands with
    // the storage classes it adapts; until then its admin routes answer 501.
    this.maintenance = null;
    AdminApi admin = new AdminApi(config, pins, prefetch, maintenance, adminTasks, scheduler);
    Routes routes = new Routes(
        registry, config.server().maxManifestSize().toIntExact(), Routes.Extras.of(metrics, upstreams::states),
        UpstreamResolver.of(config), admin);
    try {
      this.server = WharfServer.start(config.server(), routes, metrics);
    } catch (RuntimeException e) {
      stopAfterServer();
      throw e;
    }
    FreeSpace.check(config.storage());
    scheduleJobs(config);
  }

  // Periodic jobs (issue 5): the access statistics flush every storage.statsFlushInterval and the
  // eviction pass when storage.quota is set are registered here once storage has them
  // (storage.access().flush(), Eviction); the preload folder is imported once, in the background,
  // so that serving starts at once.
  private void scheduleJobs(WharfConfig config) {
    if (config.storage().preload() != null) {
      jobs.once("preload", () -> preload(config));
    }
  }

  private void preload(WharfConfig config) {
    Path folder = Objects.requireNonNull(config.storage().preload());
    if (maintenance == null) {
      log.atWarn()
          .addKeyValue("preload", folder)
          .log("storage.preload is set but this build of wharf cannot import bundles yet; nothing was preloaded");
      return;
    }
    List<Path> bundles;
    try (Stream<Path> entries = Files.list(folder)) {
      bundles = entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      log.atWarn().addKeyValue("preload", folder).log("cannot list the preload folder: " + e.getMessage());
      return;
    }
    if (bundles.isEmpty()) {
      return;
    }
    TaskSummary summary = maintenance.importBundles(
        new MaintenanceTasks.ImportRequest(bundles, config.storage().importProject(), null),
        Progress.NONE);
    log.atInfo().addKeyValue("preload", folder).log(summary.message());
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

  /** Pins, as the admin API runs them. */
  public PinService pins() {
    return pins;
  }

  /** Prefetch through this daemon's pull-through registry, as the admin API runs it. */
  public PrefetchService prefetch() {
    return prefetch;
  }

  /** The periodic background jobs. */
  public BackgroundJobs jobs() {
    return jobs;
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
    jobs.close();
    for (ExecutorService e : List.of(adminTasks, background, scheduler, diskWriters)) {
      e.shutdownNow();
    }
    upstreams.close();
    upstreamLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    metrics.close();
    local.close();
  }
}

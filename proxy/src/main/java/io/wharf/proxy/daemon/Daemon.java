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
import io.wharf.proxy.admin.StorageMaintenance;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.AuditLog;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.PullThroughConfig;
import io.wharf.proxy.config.StorageConfig;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.pullthrough.CacheEvents;
import io.wharf.proxy.pullthrough.FreshnessPolicy;
import io.wharf.proxy.pullthrough.Inflight;
import io.wharf.proxy.pullthrough.PullThroughRegistry;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.registry.TrackedManifests;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.server.WharfServer;
import io.wharf.proxy.tls.ServerTls;
import io.wharf.proxy.upstream.ProxySelection;
import io.wharf.proxy.upstream.UpstreamResolver;
import io.wharf.storage.Eviction;
import io.wharf.storage.EvictionResult;
import io.wharf.storage.GarbageCollector;
import io.wharf.storage.GcResult;
import io.wharf.storage.Progress;
import io.wharf.storage.QuotaPolicy;
import io.wharf.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running wharf: storage, upstreams, the pull-through registry, metrics and the server, started
 * in that order and closed in reverse. {@code wharf serve} and the tests' server extension both
 * start one, so tests run exactly what users run.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);
  /** How often usage is compared with the quota's high-water mark. */
  private static final Duration EVICTION_CHECK = Duration.ofSeconds(1);

  private final LocalRegistry local;
  private final WharfMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService diskWriters;
  private final ExecutorService background;
  private final ExecutorService adminTasks;
  private final BackgroundJobs jobs;
  private final PinService pins;
  private final PrefetchService prefetch;
  private final MaintenanceTasks maintenance;
  private final Inflight inflight;
  private final EventLoopGroup upstreamLoops;
  private final UpstreamSet upstreams;
  private final WharfServer server;
  private final AuditLog audit;

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
    Storage storage = local.storage();
    this.pins = new PinService(storage, config);
    // prefetch pulls through the untracked registry: readying a site is not a client's pull
    this.prefetch = new PrefetchService(registry, config, System::nanoTime);
    this.maintenance = new StorageMaintenance(storage, config, inflight::isFetching);
    this.inflight = inflight;
    this.audit = AuditLog.open(config.storage().path(), Clock.systemUTC());
    try {
      // the access layer is not optional: every request of the server passes it
      AdminPassword adminPassword = AdminPassword.open(config.storage().path(), config.auth().admin(), System.err);
      RobotAccounts robots = RobotAccounts.open(config.storage().path());
      AccessControl access = AccessControl.create(config, adminPassword, robots, audit, Clock.systemUTC());
      // a reset password or a deleted robot must stop logging in at once: forget cached logins
      AdminApi admin = new AdminApi(config, pins, prefetch, maintenance, adminTasks, scheduler,
          adminPassword, robots, access::credentialsChanged);
      Routes routes = new Routes(
          TrackedManifests.over(registry, storage.access(), storage.pins()), config.server().maxManifestSize().toIntExact(),
          Routes.Extras.of(metrics, upstreams::states),
          UpstreamResolver.of(config), admin, access);
      // after storage: its lock makes this the only wharf writing <data>/tls
      ServerTls tls = config.server().https().enabled() ? ServerTls.open(config.server().https(), config.storage().path()) : null;
      this.server = WharfServer.start(config.server(), routes, metrics, tls);
    } catch (RuntimeException e) {
      stopAfterServer();
      throw e;
    }
    FreeSpace.check(config.storage());
    scheduleJobs(config);
  }

  // Background jobs: pull statistics reach the index every statsFlushInterval (unsynced; a pull
  // never waits for it); with a quota, a pass every second evicts past the high-water mark; the
  // preload folder is imported once, in the background, so that serving starts at once.
  private void scheduleJobs(WharfConfig config) {
    Storage storage = local.storage();
    jobs.every("stats-flush", config.storage().statsFlushInterval(), () -> storage.access().flush());
    if (config.storage().hasQuota()) {
      StorageConfig s = config.storage();
      Eviction eviction = new Eviction(storage, new QuotaPolicy(s.quota().bytes(), s.highWater(), s.lowWater()),
          upstreams::unreachable, inflight::isFetching);
      GarbageCollector gc = new GarbageCollector(storage, s.gcGrace(), inflight::isFetching);
      jobs.every("eviction", EVICTION_CHECK, () -> evictIfNeeded(storage, eviction, gc));
    }
    if (config.storage().preload() != null) {
      jobs.once("preload", () -> preload(config));
    }
  }

  // Garbage first: blobs nothing references cost no image, and eviction only removes what images
  // leave unreferenced. Checking usage is a scan of the blob sizes (about 30 ms per 100k blobs).
  private static void evictIfNeeded(Storage storage, Eviction eviction, GarbageCollector gc) {
    if (storage.usedBytes() <= eviction.policy().highMark()) {
      return;
    }
    GcResult swept = gc.run(false);
    EvictionResult evicted = eviction.runIfNeeded();
    if (!swept.removed().isEmpty() || !evicted.evicted().isEmpty()) {
      log.atInfo()
          .addKeyValue("garbageBlobs", swept.removed().size())
          .addKeyValue("evictedImages", evicted.evicted().size())
          .addKeyValue("freedBytes", swept.bytes() + evicted.bytesFreed())
          .addKeyValue("usedBytes", evicted.usedAfter())
          .log("quota: " + evicted.evicted().stream().map(i -> i.repo() + "@" + i.digest()).toList());
    }
  }

  private void preload(WharfConfig config) {
    Path folder = Objects.requireNonNull(config.storage().preload());
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
    audit.close();
    local.close();
  }
}

package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.PinService;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.HostAndPort;
import io.wharf.proxy.config.HttpListenerConfig;
import io.wharf.proxy.config.HttpsListenerConfig;
import io.wharf.proxy.config.ServerConfig;
import io.wharf.proxy.config.StorageConfig;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * This process, with no daemon answering: each verb opens the storage (or, for prefetch, a whole
 * wharf on an ephemeral loopback port, to pull through exactly as the daemon does), runs, and
 * closes it. If a daemon holds the storage after all (its listener is not where this config
 * says), opening fails on the RocksDB lock and the error says so.
 */
final class LocalBackend implements Backend {
  private final WharfConfig config;
  private final Map<String, String> env;

  LocalBackend(WharfConfig config, Map<String, String> env) {
    this.config = requireNonNull(config, "config");
    this.env = requireNonNull(env, "env");
  }

  @Override
  public String describe() {
    return "this process, on " + config.storage().path();
  }

  @Override
  public String pin(String image) {
    return withStorage(storage -> new PinService(storage, config).pin(image).digest().toString());
  }

  @Override
  public boolean unpin(String image) {
    return withStorage(storage -> new PinService(storage, config).unpin(image));
  }

  @Override
  public TaskSummary prefetch(List<String> images, Progress progress) {
    Daemon daemon;
    try {
      daemon = Daemon.start(onEphemeralLoopback(config), env);
    } catch (UncheckedIOException e) {
      throw translate(e);
    }
    try (daemon) {
      return daemon.prefetch().prefetch(images, progress);
    }
  }

  @Override
  public MaintenanceTasks maintenance() {
    return new LocalMaintenance(config, this::withStorage) {
      @Override
      public TaskSummary rebuildIndex(Progress progress) {
        try {
          return super.rebuildIndex(progress);
        } catch (UncheckedIOException e) {
          throw translate(e);
        }
      }
    };
  }

  // The account files are not in the index, but holding its lock for the change proves that no
  // daemon runs on this data folder: one would keep its old view of the files until restarted.
  @Override
  public String resetAdminPassword() {
    return withStorage(storage -> AdminPassword.resetOffline(config.storage().path(), config.auth().admin()));
  }

  @Override
  public List<Robot> robots() {
    return RobotAccounts.open(config.storage().path()).list();
  }

  @Override
  public RobotAccounts.Created createRobot(String name, Map<String, Set<Action>> grants, @Nullable Instant expiresAt) {
    return withStorage(storage -> RobotAccounts.open(config.storage().path()).create(name, grants, expiresAt));
  }

  @Override
  public boolean deleteRobot(String name) {
    return withStorage(storage -> RobotAccounts.open(config.storage().path()).delete(name));
  }

  private <T> T withStorage(Function<Storage, T> work) {
    Storage storage;
    try {
      storage = Storage.open(config.storage().path());
    } catch (UncheckedIOException e) {
      throw translate(e);
    }
    try (storage) {
      return work.apply(storage);
    }
  }

  // The in-process wharf of a prefetch serves no one: it must not take the configured port, and
  // it does not import the preload folder (that is the daemon's start-up work).
  private static WharfConfig onEphemeralLoopback(WharfConfig config) {
    ServerConfig server = config.server();
    ServerConfig loopback = new ServerConfig(
        new HttpListenerConfig(new HostAndPort("127.0.0.1", 0)),
        new HttpsListenerConfig(null, null, null, List.of(), server.https().provider()),
        server.ioThreads(),
        server.maxHeaderSize(),
        server.idleTimeout(),
        server.maxManifestSize(),
        server.maxHeaderCount(),
        server.headerTimeout(),
        server.maxConnections());
    StorageConfig s = config.storage();
    StorageConfig noPreload = new StorageConfig(
        s.path(), s.uploadExpiry(), s.quota(), s.highWater(), s.lowWater(), s.gcGrace(), null, s.importProject(),
        s.statsFlushInterval());
    return new WharfConfig(
        loopback, noPreload, config.projects(), config.upstreams(), config.defaultUpstream(), config.pullThrough(),
        config.auth());
  }

  private RuntimeException translate(UncheckedIOException e) {
    String message = String.valueOf(e.getMessage());
    if (message.toLowerCase(Locale.ROOT).contains("lock")) {
      return new OciException(
          OciError.UNAVAILABLE,
          "the data folder " + config.storage().path() + " is in use by a running wharf (its index is locked), and no"
              + " admin API answered at server.http.listen (" + config.server().http().listen() + "): give this"
              + " command the daemon's config (--config)");
    }
    return e;
  }
}

package io.wharf.proxy.cli;

import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.storage.Progress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a maintenance verb runs: in the running daemon, through its admin API (it holds the
 * RocksDB lock, so nothing else may open the storage), or, with no daemon answering on the
 * configured listener, in this process on storage it opens itself and closes after.
 */
interface Backend {
  /**
   * The running daemon if its admin API answers on {@code server.http.listen}, otherwise this
   * process.
   */
  static Backend find(WharfConfig config, Map<String, String> env) {
    return AdminClient.find(config.server().http().listen(), AdminLogin.of(config))
        .<Backend>map(RemoteBackend::new)
        .orElseGet(() -> new LocalBackend(config, env));
  }

  /** Where the verb runs, for messages: {@code the daemon at http://...}. */
  String describe();

  /** Pins a cached image; the digest of the manifest pinned. */
  String pin(String image);

  /** Unpins an image; whether it was pinned. */
  boolean unpin(String image);

  /** Pulls whole images through the cache. */
  TaskSummary prefetch(List<String> images, Progress progress);

  /**
   * The storage maintenance tasks.
   *
   * @throws io.wharf.oci.OciException UNSUPPORTED when this build has none to run here
   */
  MaintenanceTasks maintenance();

  /**
   * Sets a new generated admin password, effective at once, and returns it.
   *
   * @throws io.wharf.oci.OciException DENIED when the config owns the password
   */
  String resetAdminPassword();

  /** The robot accounts, by name. */
  List<Robot> robots();

  /**
   * Makes a robot account; its secret is in the answer only.
   *
   * @throws io.wharf.oci.OciException for a taken or invalid name, bad grants or a past expiry
   */
  RobotAccounts.Created createRobot(String name, Map<String, Set<Action>> grants, @Nullable Instant expiresAt);

  /** Deletes a robot account; whether there was one. */
  boolean deleteRobot(String name);
}

package io.wharf.proxy.cli;

import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.storage.Progress;
import java.util.List;
import java.util.Map;

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
    return AdminClient.find(config.server().http().listen())
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
}

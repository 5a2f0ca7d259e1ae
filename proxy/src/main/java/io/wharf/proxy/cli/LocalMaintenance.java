package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.StorageMaintenance;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.storage.IndexRebuild;
import io.wharf.storage.Progress;
import io.wharf.storage.RebuildReport;
import io.wharf.storage.Storage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The maintenance tasks with no daemon running: each opens the storage (which holds its lock for
 * the task's length), runs, and closes it. Nothing is in flight in this process, so GC has no
 * fetch to spare.
 */
class LocalMaintenance implements MaintenanceTasks {
  private final WharfConfig config;
  private final Function<Function<Storage, Object>, Object> withStorage;

  LocalMaintenance(WharfConfig config, Function<Function<Storage, Object>, Object> withStorage) {
    this.config = requireNonNull(config, "config");
    this.withStorage = requireNonNull(withStorage, "withStorage");
  }

  @SuppressWarnings("unchecked")
  private <T> T on(Function<StorageMaintenance, T> task) {
    return (T) withStorage.apply(storage -> task.apply(new StorageMaintenance(storage, config, digest -> false)));
  }

  @Override
  public TaskSummary importBundles(ImportRequest request, Progress progress) {
    return on(m -> m.importBundles(request, progress));
  }

  @Override
  public TaskSummary export(Path output, List<String> images, Progress progress) {
    return on(m -> m.export(output, images, progress));
  }

  @Override
  public List<ImageListing> images() {
    return on(StorageMaintenance::images);
  }

  @Override
  public TaskSummary gc(boolean dryRun, Progress progress) {
    return on(m -> m.gc(dryRun, progress));
  }

  @Override
  public TaskSummary fsck(boolean deep, boolean repair, Progress progress) {
    return on(m -> m.fsck(deep, repair, progress));
  }

  @Override
  public TaskSummary rebuildIndex(Progress progress) {
    RebuildReport r = IndexRebuild.rebuild(config.storage().path(), progress);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("blobs", (long) r.blobs());
    counts.put("manifests", (long) r.manifests());
    counts.put("tags", (long) r.tags());
    counts.put("pins", (long) r.pins());
    counts.put("changed", (long) r.changed());
    counts.put("skipped", (long) r.skipped().size());
    return new TaskSummary("index rebuilt from the files: " + r.summary(), counts);
  }
}

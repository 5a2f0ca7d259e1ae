package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.wharf.storage.Progress;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The storage module's maintenance tasks as the CLI and the admin API call them, one method each:
 * bundle import and export, the image listing, GC, fsck and index rebuild. Each is a thin adapter
 * over the storage class that does the work ({@code BundleImporter}, {@code BundleExporter},
 * {@code storage.images()}, {@code GarbageCollector}, {@code Fsck}, {@code IndexRebuild}).
 *
 * <p>No implementation exists in this branch: those classes land in storage with issue 5's other
 * parts. Until one is passed to {@link AdminApi}, its routes answer 501, and the CLI verbs that
 * call it ({@code import}, {@code export}, {@code ls}, {@code gc}, {@code fsck}, {@code index
 * rebuild}) are not registered.
 */
public interface MaintenanceTasks {
  /**
   * Imports bundles (OCI layouts, docker save archives, either as a tar, tar.zst or tar.gz) and
   * pins every image they hold.
   */
  TaskSummary importBundles(ImportRequest request, Progress progress);

  /** Writes the images as one zstd-compressed OCI layout tar at {@code output}. */
  TaskSummary export(Path output, List<String> images, Progress progress);

  /** Every cached image with its size, last pull, pull count and pin. */
  List<ImageListing> images();

  /** Marks from tags, manifests, pins and open uploads, sweeps unreferenced blobs past the grace. */
  TaskSummary gc(boolean dryRun, Progress progress);

  /** Checks blobs (sizes; digests when {@code deep}), links and orphans; {@code repair} fixes the index. */
  TaskSummary fsck(boolean deep, boolean repair, Progress progress);

  /** Recreates the index from the files alone. */
  TaskSummary rebuildIndex(Progress progress);

  /**
   * What {@code wharf import} asks.
   *
   * @param paths bundles, absolute (the daemon reads them from its own file system)
   * @param project the local project the images are listed in
   * @param name the image name for a bundle that names none, or null
   */
  record ImportRequest(List<Path> paths, String project, @Nullable String name) {
    public ImportRequest {
      paths = List.copyOf(paths);
      requireNonNull(project, "project");
    }
  }

  /**
   * One line of {@code wharf ls}.
   *
   * @param image the canonical reference, {@code docker.io/library/nginx:1.27}
   * @param size bytes of its manifests and blobs
   * @param lastPull epoch millis of its last pull, 0 for never
   * @param pulls how often it was pulled
   * @param pinned whether eviction keeps it whatever happens
   */
  record ImageListing(String image, long size, long lastPull, long pulls, boolean pinned) {
    public ImageListing {
      requireNonNull(image, "image");
    }
  }
}

package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.storage.Fsck;
import io.wharf.storage.FsckReport;
import io.wharf.storage.GarbageCollector;
import io.wharf.storage.GcResult;
import io.wharf.storage.ImageSummary;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import io.wharf.storage.bundle.BundleExporter;
import io.wharf.storage.bundle.BundleImporter;
import io.wharf.storage.bundle.ExportSummary;
import io.wharf.storage.bundle.ImportOptions;
import io.wharf.storage.bundle.ImportSummary;
import io.wharf.storage.bundle.ImportedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The maintenance tasks over an open storage: what the daemon runs for the admin API, and what the
 * CLI runs itself when no daemon holds the data folder. Each method adapts one storage class and
 * turns its result into the operator's summary line and figures.
 */
public final class StorageMaintenance implements MaintenanceTasks {
  private final Storage storage;
  private final WharfConfig config;
  private final Predicate<Digest> inFlight;

  /**
   * @param inFlight digests a pull-through fetch is writing right now, which GC must not sweep
   */
  public StorageMaintenance(Storage storage, WharfConfig config, Predicate<Digest> inFlight) {
    this.storage = requireNonNull(storage, "storage");
    this.config = requireNonNull(config, "config");
    this.inFlight = requireNonNull(inFlight, "inFlight");
  }

  @Override
  public TaskSummary importBundles(ImportRequest request, Progress progress) {
    if (config.localProject(request.project()).isEmpty()) {
      throw new OciException(OciError.NAME_UNKNOWN, "'" + request.project() + "' is not a configured local project"
          + " (see projects: in the config); imported images are listed in one");
    }
    long started = System.nanoTime();
    BundleImporter importer = new BundleImporter(storage, progress);
    int images = 0;
    int changed = 0;
    long blobsNew = 0;
    long blobsExisting = 0;
    long bytes = 0;
    for (Path path : request.paths()) {
      ImportSummary s = importer.importBundle(path, new ImportOptions(request.project(), request.name()));
      for (ImportedImage image : s.images()) {
        images++;
        changed += image.digestChanged() ? 1 : 0;
      }
      blobsNew += s.blobsNew();
      blobsExisting += s.blobsExisting();
      bytes += s.bytes();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("images", (long) images);
    counts.put("newDigests", (long) changed);
    counts.put("blobsNew", blobsNew);
    counts.put("blobsExisting", blobsExisting);
    counts.put("bytes", bytes);
    counts.put("millis", took.toMillis());
    return new TaskSummary(images + " image(s) from " + request.paths().size() + " bundle(s), pinned and listed in "
        + request.project() + "; blobs: " + blobsNew + " new, " + blobsExisting + " existing; " + Bytes.format(bytes)
        + " written in " + seconds(took) + (bytes > 0 ? " (" + rate(bytes, took) + ")" : ""), counts);
  }

  @Override
  public TaskSummary export(Path output, List<String> images, Progress progress) {
    List<Reference> refs = new ArrayList<>();
    for (String image : images) {
      // the same check as every IMAGE argument: a configured upstream's host, a valid reference
      refs.add(ImageRef.resolve(image, config).reference());
    }
    ExportSummary s = new BundleExporter(storage, progress).export(refs, output);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("images", (long) s.images().size());
    counts.put("blobs", (long) s.blobs());
    counts.put("bytes", s.bytes());
    counts.put("millis", s.took().toMillis());
    return new TaskSummary(s.images().size() + " image(s), " + s.blobs() + " blob(s), " + Bytes.format(s.bytes())
        + " exported to " + s.output() + " in " + seconds(s.took()), counts);
  }

  @Override
  public List<ImageListing> images() {
    List<ImageListing> out = new ArrayList<>();
    for (ImageSummary image : storage.images().list()) {
      String name = image.tags().isEmpty()
          ? image.repo().value() + "@" + image.digest()
          : image.repo().value() + ":" + String.join(",", image.tags());
      out.add(new ImageListing(name, image.size(), image.lastPull(), image.pulls(), image.pinned()));
    }
    return out;
  }

  @Override
  public TaskSummary gc(boolean dryRun, Progress progress) {
    long started = System.nanoTime();
    GcResult r = new GarbageCollector(storage, config.storage().gcGrace(), inFlight).run(dryRun, progress);
    for (Digest d : r.removed()) {
      progress.note((dryRun ? "would remove " : "removed ") + d);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("blobs", (long) r.removed().size());
    counts.put("bytes", r.bytes());
    counts.put("millis", took.toMillis());
    return new TaskSummary((dryRun ? "dry run: would remove " : "removed ") + r.removed().size()
        + " unreferenced blob(s), " + Bytes.format(r.bytes()) + " in " + seconds(took), counts);
  }

  @Override
  public TaskSummary fsck(boolean deep, boolean repair, Progress progress) {
    FsckReport report = Fsck.check(storage, deep, repair, progress);
    long damage = report.problems().stream().filter(p -> p.kind().damage()).count();
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("blobs", report.blobs());
    counts.put("problems", damage);
    counts.put("repaired", repair ? damage : 0);
    return new TaskSummary(report.summary(), counts);
  }

  @Override
  public TaskSummary rebuildIndex(Progress progress) {
    // the rebuild replaces the index under a storage nobody else uses: never beside a serving daemon
    throw new OciException(OciError.UNSUPPORTED,
        "the index cannot be rebuilt while wharf serves from it: stop the daemon, then run wharf index rebuild");
  }

  static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  static String rate(long bytes, Duration d) {
    double s = Math.max(d.toNanos(), 1) / 1e9;
    return Bytes.format((long) (bytes / s)) + "/s";
  }
}

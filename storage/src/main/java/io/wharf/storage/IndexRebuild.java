package io.wharf.storage;

import io.wharf.storage.FileIndex.Finding;
import io.wharf.storage.IndexDiff.Change;
import io.wharf.storage.index.Column;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recreates the RocksDB index from the files alone: the distribution layout under
 * {@code <data>/docker/registry/v2} and the pin files. Files are the source of truth; the index is
 * a cache of them, so this is always possible and always gives what live writes gave (timestamps
 * from file times; tags count as never checked upstream, so a pull-through tag is checked again at
 * its next pull when upstream is reachable).
 *
 * <p>Blob files are taken as whole without hashing them (the commit protocol only ever renames a
 * verified, fsynced file into place), except manifests, whose bytes are read and hashed anyway to
 * parse them. {@link Fsck} is the tool that doubts the files. Access statistics and project
 * listings have no files and are left as they are (lost with a deleted index).
 */
public final class IndexRebuild {
  private static final Logger log = LoggerFactory.getLogger(IndexRebuild.class);

  private IndexRebuild() {}

  /**
   * {@code wharf index rebuild}, with no daemon running (it holds the index's lock): opens the
   * storage (which rebuilds on its own a missing or corrupt index) and makes the index equal the files.
   */
  public static RebuildReport rebuild(Path dataRoot, Progress progress) {
    try (Storage storage = Storage.open(dataRoot, Clock.systemUTC(), progress)) {
      return storage.rebuilt().orElseGet(() -> into(storage, progress));
    }
  }

  /** The file that is there while a rebuild runs ({@code <data>/index.rebuilding}). */
  static Path marker(Layout layout) {
    return layout.dataRoot().resolve("index.rebuilding");
  }

  /** Whether a layout has content an empty index would be missing. */
  static boolean hasContent(Layout layout) {
    return LayoutScan.hasContent(layout);
  }

  /**
   * Makes the index of an open storage equal its files: adds what is missing, replaces what
   * disagrees, removes what no file justifies, and reindexes the pins and project listings. Not while the storage
   * serves writes: a commit landing between the walk and the write could be undone ({@link Fsck}
   * is the online tool).
   */
  static RebuildReport into(Storage storage, Progress progress) {
    long start = System.nanoTime();
    // until the marker goes, the index holds part of the files only: the next open runs this again
    Path marker = marker(storage.layout());
    AtomicFiles.write(marker, new byte[0], storage.layout().tmpDir());
    progress.begin("walking " + storage.layout().root(), -1);
    LayoutScan scan = LayoutScan.of(storage.layout());
    progress.begin("reading " + scan.revisions.size() + " manifest revisions", -1);
    FileIndex derived = FileIndex.derive(scan, blob -> null);
    Map<Column, Map<String, byte[]>> current = new EnumMap<>(Column.class);
    for (Column c : FileIndex.derivedColumns()) {
      current.put(c, IndexDiff.read(storage.index(), c));
    }
    List<Change> changes = IndexDiff.changes(derived, current);
    progress.begin("writing " + changes.size() + " index entries", -1);
    IndexDiff.apply(storage.index(), changes);
    int pins = storage.pins().reindex();
    storage.projectRepos().reindex();
    try {
      Files.delete(marker);
      AtomicFiles.fsyncDirectory(marker.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + marker, e);
    }
    List<String> skipped = new ArrayList<>();
    for (Finding f : derived.findings) {
      String line = f.kind() + " " + f.path() + ": " + f.detail();
      skipped.add(line);
      progress.note("skipped " + line);
      log.atWarn().addKeyValue("path", f.path()).addKeyValue("kind", f.kind()).log("index rebuild skipped: " + f.detail());
    }
    RebuildReport report = new RebuildReport(
        size(derived, Column.BLOBS), size(derived, Column.REPOSITORIES), size(derived, Column.MANIFESTS),
        size(derived, Column.TAGS), size(derived, Column.LAYERS), size(derived, Column.REFERRERS), pins, changes.size(),
        skipped, Duration.ofNanos(System.nanoTime() - start));
    log.atInfo().log("index rebuilt from the files: " + report.summary());
    return report;
  }

  private static int size(FileIndex derived, Column column) {
    return derived.columns.get(column).size();
  }
}

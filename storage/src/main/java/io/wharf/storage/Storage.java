package io.wharf.storage;

import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexCorruptException;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * wharf's storage: opens the layout and the index in order, makes them consistent after a crash,
 * and hands out the stores; closes them in reverse.
 *
 * <p>Start-up recovery: roll forward every journaled commit (see {@link Journal}), then delete temp
 * files and upload sessions, the only things an interrupted write can leave. Holding the index open
 * holds RocksDB's lock, so a second process on the same data folder fails fast. A missing or
 * corrupt index is rebuilt from the files ({@link IndexRebuild}): they are the source of truth.
 */
public final class Storage implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Storage.class);

  private final Layout layout;
  private final Index index;
  private final BlobStore blobs;
  private final UploadStore uploads;
  private final ManifestStore manifests;
  private final TagStore tags;
  private final RepositoryStore repositories;
  private final Pins pins;
  private final ProjectRepos projectRepos;
  private @Nullable RebuildReport rebuilt;
  private final AccessStats access;
  private final Images images;
  private final ReferenceGuard guard;
  private final BlobSweeper sweeper;
  private final RepositoryLocks locks;
  private final Journal journal;

  private Storage(Layout layout, Index index, Clock clock) {
    this.layout = layout;
    this.index = index;
    Journal journal = new Journal(layout, index);
    RepositoryLocks locks = new RepositoryLocks();
    this.guard = new ReferenceGuard(clock);
    this.blobs = new BlobStore(layout, index, journal, clock, locks, guard);
    this.uploads = new UploadStore(layout, index, journal, blobs, clock, guard);
    this.manifests = new ManifestStore(layout, index, journal, blobs, clock, locks, guard);
    this.tags = new TagStore(layout, index, journal, locks);
    this.repositories = new RepositoryStore(index);
    this.pins = new Pins(layout, index, clock);
    this.projectRepos = new ProjectRepos(layout, index);
    this.access = new AccessStats(index, clock);
    this.images = new Images(index, blobs, pins, access);
    this.sweeper = new BlobSweeper(layout, index, journal, guard, pins);
    this.locks = locks;
    this.journal = journal;
    recover(journal);
  }

  /** Opens the storage under a data folder, creating it if needed. */
  public static Storage open(Path dataRoot) {
    return open(dataRoot, Clock.systemUTC());
  }

  public static Storage open(Path dataRoot, Clock clock) {
    return open(dataRoot, clock, Progress.NONE);
  }

  /**
   * Opens the storage; when the index is missing (a new folder among existing files) or RocksDB
   * reports it corrupt, rebuilds it from the files first, reporting to {@code rebuildProgress}.
   * A corrupt index is moved aside to {@code index.corrupt-<millis>}, not deleted, for a post-mortem.
   */
  static Storage open(Path dataRoot, Clock clock, Progress rebuildProgress) {
    Layout layout = new Layout(dataRoot);
    try {
      AtomicFiles.createDirectories(layout.blobsRoot());
      AtomicFiles.createDirectories(layout.repositoriesRoot());
      AtomicFiles.createDirectories(layout.tmpDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data folder " + layout.root(), e);
    }
    // RocksDB writes CURRENT when it creates a database: without it, this open starts an empty one.
    // The marker says a rebuild was interrupted: the index holds part of the files only.
    boolean interrupted = Files.exists(IndexRebuild.marker(layout));
    boolean fresh = !Files.exists(layout.indexDir().resolve("CURRENT")) || interrupted;
    Index index;
    try {
      index = Index.open(layout.indexDir());
    } catch (IndexCorruptException e) {
      Path aside = layout.dataRoot().resolve("index.corrupt-" + clock.millis());
      log.atWarn().addKeyValue("index", layout.indexDir()).addKeyValue("movedTo", aside).addKeyValue("error", e.getMessage())
          .log("the index is corrupt; moving it aside and rebuilding it from the files");
      moveAside(layout.indexDir(), aside);
      fresh = true;
      index = Index.open(layout.indexDir());
    }
    Storage storage;
    try {
      storage = new Storage(layout, index, clock);
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
    if (interrupted || (fresh && IndexRebuild.hasContent(layout))) {
      try {
        log.atWarn().addKeyValue("index", layout.indexDir())
            .log(interrupted ? "an index rebuild was interrupted; running it again"
                : "the index is new but the data folder has content; rebuilding it from the files");
        storage.rebuilt = IndexRebuild.into(storage, rebuildProgress);
      } catch (RuntimeException e) {
        storage.close();
        throw e;
      }
    }
    return storage;
  }

  private static void moveAside(Path indexDir, Path aside) {
    try {
      Files.move(indexDir, aside, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDirectory(indexDir.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the corrupt index " + indexDir + " aside", e);
    }
  }

  /** The rebuild this open ran (the index was missing or corrupt), if it ran one. */
  public Optional<RebuildReport> rebuilt() {
    return Optional.ofNullable(rebuilt);
  }

  private void recover(Journal journal) {
    try {
      int rolled = journal.recover();
      int temps = deleteTempFiles();
      int sessions = uploads.purgeAll();
      if (rolled + temps + sessions > 0) {
        log.atInfo()
            .addKeyValue("rolledForward", rolled)
            .addKeyValue("tempFiles", temps)
            .addKeyValue("uploads", sessions)
            .log("cleaned up after an interrupted run");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("start-up recovery failed", e);
    }
  }

  private int deleteTempFiles() throws IOException {
    int n = 0;
    try (var list = Files.list(layout.tmpDir())) {
      for (Path p : (Iterable<Path>) list::iterator) {
        AtomicFiles.deleteTree(p);
        n++;
      }
    }
    return n;
  }

  public Layout layout() {
    return layout;
  }

  public BlobStore blobs() {
    return blobs;
  }

  public UploadStore uploads() {
    return uploads;
  }

  public ManifestStore manifests() {
    return manifests;
  }

  public TagStore tags() {
    return tags;
  }

  public RepositoryStore repositories() {
    return repositories;
  }

  public Pins pins() {
    return pins;
  }

  /** Repositories that local projects list besides their own (imported images). */
  public ProjectRepos projectRepos() {
    return projectRepos;
  }

  /** Pull statistics, gathered in memory and flushed to the index by {@link AccessStats#flush()}. */
  public AccessStats access() {
    return access;
  }

  /** The images of every repository, for listing and eviction. */
  public Images images() {
    return images;
  }

  /** Bytes of every committed blob: what the quota counts. */
  public long usedBytes() {
    return blobs.usedBytes();
  }

  ReferenceGuard guard() {
    return guard;
  }

  BlobSweeper sweeper() {
    return sweeper;
  }

  RepositoryLocks locks() {
    return locks;
  }

  Journal journal() {
    return journal;
  }

  /** The index, for tools that walk it (fsck, tests comparing it against the files). */
  public Index index() {
    return index;
  }

  @Override
  public void close() {
    access.close();
    uploads.closeAll();
    index.close();
  }
}

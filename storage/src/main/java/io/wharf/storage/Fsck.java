package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.Digester;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.storage.FileIndex.Action;
import io.wharf.storage.FileIndex.Finding;
import io.wharf.storage.FsckProblem.Kind;
import io.wharf.storage.IndexDiff.Change;
import io.wharf.storage.LayoutScan.FoundBlob;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.LinkFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code wharf fsck}: checks the files against themselves and the index against the files.
 *
 * <ul>
 *   <li>every indexed blob has its file, of the indexed size (and, with {@code deep}, of its digest);
 *       a blob file the index does not know is hashed, and is an orphan when whole;
 *   <li>every layer, revision and tag link holds the digest its path names and resolves to a stored
 *       blob, or a manifest of its repository; every index entry matches the links;
 *   <li>no stray files in the layout, no temp file older than {@link #TEMP_GRACE};
 *   <li>the blobs image manifests reference are stored (reported, not damage: a pull-through cache
 *       fetches a blob at its first pull);
 *   <li>the index's pins equal the pin files.
 * </ul>
 *
 * <p>{@code repair} makes the files consistent and the index say what they say: a truncated or
 * corrupt blob file is moved to {@code _wharf/quarantine/<millis>/} (never served again), links
 * to what is not stored are removed, strays are quarantined, old temp files deleted; then index
 * entries are added, replaced or dropped, each checked against the files once more just before,
 * so a commit that ran meanwhile is not undone. Safe beside a serving daemon: the index is read
 * before the files are walked, so a commit landing during the walk shows as files the index lacks
 * (which repair adds, as the commit does), never as entries to drop.
 */
public final class Fsck {
  private static final Logger log = LoggerFactory.getLogger(Fsck.class);
  /** A temp file younger than this may belong to a write in progress. */
  static final Duration TEMP_GRACE = Duration.ofHours(1);

  private final Storage storage;
  private final Layout layout;
  private final boolean deep;
  private final boolean repair;
  private final Progress progress;
  private final Map<String, Long> indexedSizes = new HashMap<>();
  /** Blobs a check rejected (truncated, corrupt, gone), so their index entry is not reported twice. */
  private final Set<String> rejected = new HashSet<>();
  private final List<FsckProblem> problems = new ArrayList<>();
  private long bytesHashed;
  private @Nullable Path quarantine;

  private Fsck(Storage storage, boolean deep, boolean repair, Progress progress) {
    this.storage = storage;
    this.layout = storage.layout();
    this.deep = deep;
    this.repair = repair;
    this.progress = progress;
  }

  /**
   * Checks an open storage.
   *
   * @param deep hash every blob, not only those the index does not know
   * @param repair fix what can be fixed (see the class comment); false only reports
   */
  public static FsckReport check(Storage storage, boolean deep, boolean repair, Progress progress) {
    return new Fsck(storage, deep, repair, progress).run();
  }

  private FsckReport run() {
    long start = System.nanoTime();
    Map<Column, Map<String, byte[]>> indexed = new EnumMap<>(Column.class);
    for (Column c : FileIndex.derivedColumns()) {
      indexed.put(c, IndexDiff.read(storage.index(), c));
    }
    indexed.get(Column.BLOBS).forEach((k, v) -> indexedSizes.put(k, Records.decode(v, BlobRecord.class).size()));
    progress.begin("walking " + layout.root(), -1);
    LayoutScan scan = LayoutScan.of(layout);
    long toHash = scan.blobs.stream().filter(b -> deep || !indexedSizes.containsKey(b.digest().toString()))
        .mapToLong(FoundBlob::size).sum();
    progress.begin(deep ? "hashing every blob" : "checking blobs", toHash);
    FileIndex derived = FileIndex.derive(scan, this::checkBlob);

    for (Finding f : derived.findings) {
      if (f.action() == Action.QUARANTINE_BLOB) {
        rejected.add(blobDigest(f.path()));
      }
      report(f.kind(), subject(f.path()), f.detail(), repair ? fixFile(f) : "");
    }
    staleTemps();
    List<Change> changes = IndexDiff.changes(derived, indexed);
    List<Change> toApply = new ArrayList<>();
    for (Change c : changes) {
      boolean holds = !repair || stillHolds(c);
      if (holds && repair) {
        toApply.add(c);
      }
      String fix = !repair ? "" : !holds ? "left alone: the files changed meanwhile" : switch (c.kind()) {
        case MISSING_ENTRY -> "index entry added";
        case STALE_ENTRY -> "index entry dropped";
        default -> "index entry replaced";
      };
      if (c.column() == Column.BLOBS && rejected.contains(c.key())) {
        continue; // reported with its file
      }
      Kind kind = c.column() != Column.BLOBS ? c.kind()
          : c.kind() == Kind.MISSING_ENTRY ? Kind.ORPHAN_BLOB : c.kind() == Kind.STALE_ENTRY ? Kind.BLOB_MISSING : c.kind();
      String detail = kind == Kind.ORPHAN_BLOB ? "a whole blob file the index does not know"
          : kind == Kind.BLOB_MISSING ? "indexed blob has no file" : c.detail();
      report(kind, c.column() + " " + c.key().replace(Keys.SEP, ' '), detail, fix);
    }
    if (repair) {
      IndexDiff.apply(storage.index(), toApply);
    }
    missingReferences(derived);
    pins();
    FsckReport result = new FsckReport(problems, scan.blobs.size(), bytesHashed, deep, repair,
        Duration.ofNanos(System.nanoTime() - start));
    log.atInfo().log("fsck: " + result.summary());
    return result;
  }

  private void report(Kind kind, String subject, String detail, String fix) {
    FsckProblem p = new FsckProblem(kind, subject, detail, fix);
    problems.add(p);
    if (kind.damage()) {
      progress.note(kind + " " + subject + ": " + detail + (fix.isEmpty() ? "" : " (" + fix + ")"));
    }
  }

  /** Whether a blob file is whole: the indexed size, and its digest where it is hashed. */
  private @Nullable Finding checkBlob(FoundBlob blob) {
    String key = blob.digest().toString();
    Long size = indexedSizes.get(key);
    if (size != null && size != blob.size()) {
      return new Finding(Kind.BLOB_TRUNCATED, blob.path(), "file has " + blob.size() + " bytes, the index says " + size,
          Action.QUARANTINE_BLOB);
    }
    if (size != null && !deep) {
      return null;
    }
    Optional<Digest> actual = hash(blob.path(), blob.digest());
    if (actual.isEmpty()) {
      rejected.add(key);
      return new Finding(Kind.BLOB_MISSING, blob.path(), "deleted while fsck ran", Action.NONE);
    }
    if (!actual.get().equals(blob.digest())) {
      return new Finding(Kind.BLOB_CORRUPT, blob.path(), "bytes hash to " + actual.get(), Action.QUARANTINE_BLOB);
    }
    return null;
  }

  private Optional<Digest> hash(Path file, Digest digest) {
    Digester d = Digester.of(digest.algorithm());
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
        bytesHashed += n;
        progress.advance(n);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return Optional.of(d.digest());
  }

  /** Carries out a finding's file step; returns what was done. */
  private String fixFile(Finding f) {
    try {
      return switch (f.action()) {
        case QUARANTINE_BLOB -> {
          String to = toQuarantine(f.path());
          deleteIfEmpty(f.path().getParent());
          yield "moved to " + to + "; index entry dropped";
        }
        case DELETE_FOLDER -> {
          AtomicFiles.deleteTree(f.path());
          yield "removed; index entry dropped";
        }
        case DELETE_FILE -> {
          AtomicFiles.deleteTree(f.path());
          yield "deleted";
        }
        case NONE -> f.kind() == Kind.STRAY_FILE ? "moved to " + toQuarantine(f.path()) : "";
      };
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("path", f.path()).addKeyValue("error", e.getMessage()).log("fsck could not repair");
      return "repair failed: " + e.getMessage();
    }
  }

  /** Moves a file or folder under {@code _wharf/quarantine/<millis>/}, keeping its path below the root. */
  private String toQuarantine(Path path) {
    if (quarantine == null) {
      quarantine = layout.resolve("_wharf/quarantine/" + System.currentTimeMillis());
    }
    Path target = layout.resolve(layout.relative(quarantine) + "/" + layout.relative(path));
    if (Files.notExists(path)) {
      return layout.relative(target) + " (already gone)";
    }
    AtomicFiles.move(path, target);
    return layout.relative(target);
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (DirectoryNotEmptyException e) {
      // something else is there: leave it for the next check
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Temp files older than the grace period: no write that is still running owns them. */
  private void staleTemps() {
    Path tmp = layout.tmpDir();
    if (!Files.isDirectory(tmp)) {
      return;
    }
    long cutoff = System.currentTimeMillis() - TEMP_GRACE.toMillis();
    try (var list = Files.list(tmp)) {
      for (Path p : list.sorted().toList()) {
        long modified;
        try {
          modified = Files.getLastModifiedTime(p).toMillis();
        } catch (NoSuchFileException gone) {
          continue;
        }
        if (modified < cutoff) {
          Finding f = new Finding(Kind.STRAY_FILE, p, "temp file no write is using", Action.DELETE_FILE);
          report(f.kind(), subject(p), f.detail(), repair ? fixFile(f) : "");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + tmp, e);
    }
  }

  /** Whether the files still justify a change right before it is written (a commit may have run since the walk). */
  private boolean stillHolds(Change c) {
    String key = c.key();
    boolean put = c.value() != null;
    return switch (c.column()) {
      case BLOBS -> put == Files.isRegularFile(layout.blobData(Digest.parse(key)));
      case LAYERS -> put == Files.isRegularFile(layout.layerLink(repoOf(key), Digest.parse(Keys.last(key))));
      case MANIFESTS -> put == Files.isRegularFile(layout.revisionLink(repoOf(key), Digest.parse(Keys.last(key))));
      case TAGS -> {
        Optional<Digest> linked = LinkFile.read(layout.tagCurrentLink(repoOf(key), Tag.parse(Keys.last(key))));
        yield put ? linked.map(d -> d.toString().equals(((TagRecord) c.value()).digest())).orElse(false) : linked.isEmpty();
      }
      default -> true;
    };
  }

  /** Image manifests' config and layers that are not stored; an index's children may legitimately be absent. */
  private void missingReferences(FileIndex derived) {
    Set<String> seen = new HashSet<>();
    for (String key : derived.columns.get(Column.MANIFESTS).keySet()) {
      Digest digest = Digest.parse(Keys.last(key));
      Manifest m = derived.manifest(digest);
      if (m == null || m.isIndex()) {
        continue;
      }
      for (Descriptor d : m.blobs()) {
        if (!derived.hasBlob(d.digest()) && seen.add(digest + " " + d.digest())) {
          report(Kind.MISSING_REFERENCE, "manifest " + digest, "references " + d.digest() + ", which is not stored",
              repair ? "none: fetched again at the next pull, if from an upstream" : "");
        }
      }
    }
  }

  private void pins() {
    Set<Pin> files = new HashSet<>(storage.pins().readFiles());
    Set<Pin> indexedPins = new HashSet<>(storage.pins().list());
    if (files.equals(indexedPins)) {
      return;
    }
    String fix = repair ? "index pins replaced from the pin files" : "";
    for (Pin p : files) {
      if (!indexedPins.contains(p)) {
        report(Kind.PIN_MISMATCH, "pin " + p.repo() + " " + p.reference(), "pin file not in the index", fix);
      }
    }
    for (Pin p : indexedPins) {
      if (!files.contains(p)) {
        report(Kind.PIN_MISMATCH, "pin " + p.repo() + " " + p.reference(), "indexed pin has no pin file", fix);
      }
    }
    if (repair) {
      storage.pins().reindex();
      storage.projectRepos().reindex();
    }
  }

  private String subject(Path path) {
    return layout.root().relativize(path).toString();
  }

  /** {@code alg:hex} of a path {@code blobs/<alg>/<xx>/<hex>/data}. */
  private String blobDigest(Path data) {
    Path rel = layout.blobsRoot().relativize(data);
    return rel.getName(0) + ":" + rel.getName(2);
  }

  private static RepositoryName repoOf(String key) {
    return RepositoryName.parse(key.substring(0, key.indexOf(Keys.SEP)));
  }
}

package io.wharf.storage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.layout.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commits so that a crash at any point leaves the whole object or none of it.
 *
 * <p>Crash safety: by the time a commit reaches the journal, its new bytes are already verified and
 * fsynced in a temp file. The journal then records, in one synced index write, every file step and
 * every index entry of the commit; only then are the files touched (each step atomic and
 * idempotent), and a final synced batch writes the index entries and drops the journal entry. A
 * crash before the journal entry leaves only temp files, which start-up deletes: nothing. A crash
 * after it is rolled forward at start-up by {@link #recover()}: the whole object.
 *
 * <p>Thread-safe; concurrent commits touch distinct journal entries.
 */
final class Journal {
  private static final Logger log = LoggerFactory.getLogger(Journal.class);
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** A journal entry: the commit's file steps and index entries (values base64, null = delete). */
  record Entry(List<FileOp> files, List<IndexEntry> index) {}

  record IndexEntry(Column column, String key, @Nullable String value) {}

  private final Layout layout;
  private final Index db;
  private final Set<String> failed = ConcurrentHashMap.newKeySet();

  Journal(Layout layout, Index db) {
    this.layout = layout;
    this.db = db;
  }

  /**
   * Runs a commit: journal, files, index.
   *
   * @param kind the crash-point kind ({@link CrashPoint#BLOB} or {@link CrashPoint#MANIFEST})
   */
  void run(Commit commit, String kind) {
    replayFailed();
    String id = writeEntry(commit);
    try {
      boolean renamed = false;
      for (FileOp op : commit.files()) {
        op.apply(layout);
        if (op instanceof FileOp.Move && !renamed) {
          renamed = true;
          CrashPoint.AFTER_RENAME.reached(kind);
        }
      }
      if (!renamed) {
        CrashPoint.AFTER_RENAME.reached(kind);
      }
      db.write(new IndexBatch().addAll(commit.index()).delete(Column.JOURNAL, id));
    } catch (RuntimeException e) {
      // the entry stays; it must be rolled forward before any later commit, or a replay at the
      // next start would land on top of newer state (a tag moved back, say)
      failed.add(id);
      throw e;
    }
    CrashPoint.AFTER_INDEX_WRITE.reached(kind);
  }

  /**
   * Runs a deletion index first, files last, for content nothing references any more (GC,
   * eviction): the index must never claim a blob whose file is gone, while a file no entry names
   * is only an orphan. One synced batch deletes the index entries and records the file steps in a
   * journal entry, so a crash before the files are gone is rolled forward at start-up ({@link
   * #recover()}); once they are, the entry goes, synced, before anything could commit the same
   * digest again (the caller holds the {@link ReferenceGuard} exclusively meanwhile), so a replay
   * can never delete a newer file.
   */
  void runIndexFirst(Commit commit) {
    replayFailed();
    String id = writeIndexFirst(commit);
    try {
      for (FileOp op : commit.files()) {
        op.apply(layout);
      }
    } catch (RuntimeException e) {
      // the index no longer names them: what is left is orphan files, which fsck lists
      log.atWarn().addKeyValue("commit", id).addKeyValue("error", e.getMessage()).log("cannot delete the files of unreferenced content");
    }
    try {
      db.write(new IndexBatch().delete(Column.JOURNAL, id));
    } catch (RuntimeException e) {
      failed.add(id);
      throw e;
    }
  }

  /**
   * The first step of {@link #runIndexFirst}: the index entries and a journal entry of the file
   * steps, in one synced batch. Package-private so that recovery tests can stage a crash after it.
   */
  String writeIndexFirst(Commit commit) {
    String id = UUID.randomUUID().toString();
    db.write(new IndexBatch().addAll(commit.index()).put(Column.JOURNAL, id, encode(new Entry(commit.files(), List.of()))));
    return id;
  }

  /**
   * Rolls forward commits that failed half-way in this run (a full disk, say). Until that works,
   * every new commit fails too: storage refuses writes rather than reorder them.
   */
  private void replayFailed() {
    if (failed.isEmpty()) {
      return;
    }
    synchronized (failed) {
      for (String id : List.copyOf(failed)) {
        db.get(Column.JOURNAL, id).ifPresent(raw -> replay(id, raw));
        failed.remove(id);
        log.atInfo().addKeyValue("commit", id).log("rolled forward a commit that had failed");
      }
    }
  }

  /**
   * Writes a commit's journal entry, synced, and returns its id: the first step of {@link #run}.
   * Package-private so that recovery tests can stage a crash right after it without halting the JVM.
   */
  String writeEntry(Commit commit) {
    String id = UUID.randomUUID().toString();
    List<IndexEntry> entries =
        commit.index().ops().stream()
            .map(op -> new IndexEntry(op.column(), op.key(), op.value() == null ? null : Base64.getEncoder().encodeToString(op.value())))
            .toList();
    db.write(new IndexBatch().put(Column.JOURNAL, id, encode(new Entry(commit.files(), entries))));
    return id;
  }

  /** Rolls forward every commit a crash interrupted after its journal entry was written. */
  int recover() {
    List<String> ids = db.keys(Column.JOURNAL, "");
    for (String id : ids) {
      replay(id, db.get(Column.JOURNAL, id).orElseThrow());
      log.atInfo().addKeyValue("commit", id).log("rolled forward an interrupted commit");
    }
    return ids.size();
  }

  private void replay(String id, byte[] raw) {
    Entry entry = decode(raw);
    for (FileOp op : entry.files()) {
      op.apply(layout);
    }
    IndexBatch batch = new IndexBatch();
    for (IndexEntry e : entry.index()) {
      if (e.value() == null) {
        batch.delete(e.column(), e.key());
      } else {
        batch.put(e.column(), e.key(), Base64.getDecoder().decode(e.value()));
      }
    }
    db.write(batch.delete(Column.JOURNAL, id));
  }

  private static byte[] encode(Entry entry) {
    try {
      return JSON.writeValueAsBytes(entry);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode journal entry", e);
    }
  }

  private static Entry decode(byte[] raw) {
    try {
      return JSON.readValue(raw, Entry.class);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt journal entry", e);
    }
  }
}

package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.UploadRecord;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.StorageFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Blob upload sessions, written under the layout's {@code _uploads/<id>/} and committed as blobs.
 *
 * <p>Concurrency: sessions live in memory with an open file each; one request writes to a session
 * at a time. Crash safety: a session's file is only ever a temp file. Completing verifies the
 * digest, fsyncs, and hands the file to the {@link Journal}; sessions do not survive a restart
 * (start-up deletes them), since no client can know how much of an interrupted upload arrived.
 */
public final class UploadStore {
  private final Layout layout;
  private final Index index;
  private final Journal journal;
  private final BlobStore blobs;
  private final Clock clock;
  private final ReferenceGuard guard;
  private final Map<String, UploadSession> sessions = new ConcurrentHashMap<>();

  UploadStore(Layout layout, Index index, Journal journal, BlobStore blobs, Clock clock, ReferenceGuard guard) {
    this.layout = layout;
    this.index = index;
    this.journal = journal;
    this.blobs = blobs;
    this.clock = clock;
    this.guard = guard;
  }

  /** Opens a new, empty session. */
  public Upload start(RepositoryName repo) {
    String id = UUID.randomUUID().toString();
    Path dir = layout.uploadDir(repo, id);
    long now = clock.millis();
    try {
      // the repository's folders are durable (links are committed beside them later); the session's
      // own folder need not be, since start-up deletes every session: no fsync on the request's path
      AtomicFiles.createDirectories(dir.getParent());
      Files.createDirectory(dir);
      Files.write(dir.resolve("startedat"), Instant.ofEpochMilli(now).toString().getBytes(StandardCharsets.US_ASCII));
      FileChannel channel =
          FileChannel.open(dir.resolve("data"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
      sessions.put(id, new UploadSession(repo, id, dir.resolve("data"), now, channel));
    } catch (IOException e) {
      AtomicFiles.deleteTree(dir);
      throw StorageFailure.of("cannot start upload in " + repo, e);
    }
    // a lost upload record only costs a leftover folder, which start-up deletes: no fsync
    index.writeUnsynced(new IndexBatch().put(Column.UPLOADS, id, new UploadRecord(repo.value(), now)));
    return new Upload(repo, id, 0);
  }

  /**
   * @throws OciException BLOB_UPLOAD_UNKNOWN
   */
  public Upload status(RepositoryName repo, String id) {
    UploadSession s = require(repo, id);
    return new Upload(repo, id, s.offset());
  }

  /**
   * Opens a session for one request's bytes.
   *
   * @param expectedStart where the client says its bytes start, or -1 when it did not say
   * @throws OciException BLOB_UPLOAD_UNKNOWN; RANGE_INVALID when {@code expectedStart} is not the
   *     session's size; BLOB_UPLOAD_INVALID when another request is writing to it
   */
  public UploadWriter open(RepositoryName repo, String id, long expectedStart) {
    UploadSession s = require(repo, id);
    if (!s.acquire()) {
      throw new OciException(OciError.BLOB_UPLOAD_INVALID, "another request is writing to upload " + id);
    }
    if (expectedStart >= 0 && expectedStart != s.offset()) {
      s.release();
      throw new OciException(
          OciError.RANGE_INVALID, "chunk starts at " + expectedStart + " but the upload holds " + s.offset() + " bytes");
    }
    return new UploadWriter(s, () -> discard(s));
  }

  /**
   * Verifies and commits the session as a blob linked into its repository.
   *
   * @throws OciException BLOB_UPLOAD_UNKNOWN; DIGEST_INVALID (the session is then discarded)
   */
  public BlobInfo complete(RepositoryName repo, String id, Digest expected) {
    UploadSession s = require(repo, id);
    if (!s.acquire()) {
      throw new OciException(OciError.BLOB_UPLOAD_INVALID, "another request is writing to upload " + id);
    }
    CrashPoint.AFTER_TEMP_WRITE.reached(CrashPoint.BLOB);
    if (s.hashed() != s.offset()) {
      // a writer that hashed ahead of its writes stopped half-way: the hash does not describe the file
      discard(s);
      throw new OciException(OciError.BLOB_UPLOAD_INVALID,
          "upload " + id + " has " + s.hashed() + " bytes hashed and " + s.offset() + " written");
    }
    Digest actual;
    try {
      actual = s.digest(expected.algorithm());
      if (!actual.equals(expected)) {
        discard(s);
        throw new OciException(OciError.DIGEST_INVALID, "upload digest is " + actual + ", not " + expected);
      }
      s.force();
    } catch (IOException e) {
      discard(s);
      throw StorageFailure.of("cannot verify upload " + id, e);
    }
    s.closeChannel();
    CrashPoint.AFTER_FSYNC.reached(CrashPoint.BLOB);
    Path dir = layout.uploadDir(repo, id);
    // the repository's lock: an unlink of the same blob must not interleave with this link
    // a sweep must not delete a committed blob of this digest between the check and the link
    Lock referencing = guard.referencing(List.of(expected.toString()));
    ReentrantLock lock = blobs.lockOf(repo);
    lock.lock();
    try {
      Commit commit = new Commit(layout);
      boolean known = blobs.find(expected).isPresent();
      if (!known) {
        commit.move(s.data(), layout.blobData(expected));
        blobs.addBlob(commit, expected, s.offset());
      }
      commit.deleteTree(dir).link(layout.layerLink(repo, expected), expected).delete(Column.UPLOADS, id);
      blobs.addLink(commit, repo, expected);
      journal.run(commit, CrashPoint.BLOB);
      return blobs.find(expected).orElseThrow();
    } finally {
      lock.unlock();
      referencing.unlock();
      // its file is closed and committed (or in the journal): the session cannot be used again
      sessions.remove(id);
    }
  }

  /**
   * Discards a session and its bytes.
   *
   * @throws OciException BLOB_UPLOAD_UNKNOWN; BLOB_UPLOAD_INVALID when another request is writing
   *     to it or completing it (deleting its file then would lose the bytes a commit is moving)
   */
  public void cancel(RepositoryName repo, String id) {
    UploadSession s = require(repo, id);
    if (!s.acquire()) {
      throw new OciException(OciError.BLOB_UPLOAD_INVALID, "another request is writing to upload " + id);
    }
    discard(s);
  }

  /**
   * Discards sessions started before {@code now - maxAge}, except those a request is writing to
   * or completing right now; returns how many.
   */
  public int expire(Duration maxAge) {
    long cutoff = clock.millis() - maxAge.toMillis();
    List<UploadSession> old = sessions.values().stream().filter(s -> s.startedAt() < cutoff).toList();
    int discarded = 0;
    for (UploadSession s : old) {
      if (s.acquire()) {
        discard(s);
        discarded++;
      }
    }
    return discarded;
  }

  /** Closes every session's file; the sessions themselves end with the process (start-up deletes them). */
  void closeAll() {
    sessions.values().forEach(UploadSession::closeChannel);
    sessions.clear();
  }

  /** Deletes every upload folder and record: start-up's cleaning after a crash or restart. */
  int purgeAll() throws IOException {
    IndexBatch batch = new IndexBatch();
    for (String id : index.keys(Column.UPLOADS, "")) {
      batch.delete(Column.UPLOADS, id);
    }
    index.writeUnsynced(batch);
    return UploadFolders.deleteAll(layout.repositoriesRoot());
  }

  private void discard(UploadSession s) {
    sessions.remove(s.id());
    s.closeChannel();
    AtomicFiles.deleteTree(layout.uploadDir(s.repo(), s.id()));
    index.writeUnsynced(new IndexBatch().delete(Column.UPLOADS, s.id()));
  }

  private UploadSession require(RepositoryName repo, String id) {
    UploadSession s = sessions.get(id);
    if (s == null || !s.repo().equals(repo)) {
      throw new OciException(OciError.BLOB_UPLOAD_UNKNOWN, "upload unknown: " + id);
    }
    return s;
  }
}

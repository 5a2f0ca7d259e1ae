package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.RepositoryRecord;
import io.wharf.storage.layout.Layout;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Blobs: the global content-addressed files, and their links into repositories ({@code _layers}),
 * which decide what a repository may serve.
 *
 * <p>Thread-safe. Reads come from the index; links are committed through the {@link Journal}, under
 * the repository's lock so that a link file and its index entry always change together.
 */
public final class BlobStore {
  private final Layout layout;
  private final Index index;
  private final Journal journal;
  private final Clock clock;
  private final RepositoryLocks locks;

  BlobStore(Layout layout, Index index, Journal journal, Clock clock, RepositoryLocks locks) {
    this.layout = layout;
    this.index = index;
    this.journal = journal;
    this.clock = clock;
    this.locks = locks;
  }

  /** A committed blob, whichever repositories link it. */
  public Optional<BlobInfo> find(Digest digest) {
    return index
        .get(Column.BLOBS, digest.toString(), BlobRecord.class)
        .map(r -> new BlobInfo(digest, r.size(), layout.blobData(digest)));
  }

  /** A blob linked into this repository. */
  public Optional<BlobInfo> findIn(RepositoryName repo, Digest digest) {
    if (!index.contains(Column.LAYERS, Keys.inRepo(repo, digest))) {
      return Optional.empty();
    }
    return find(digest);
  }

  /**
   * @throws OciException BLOB_UNKNOWN when this repository does not link the blob
   */
  public BlobInfo requireIn(RepositoryName repo, Digest digest) {
    return findIn(repo, digest)
        .orElseThrow(() -> new OciException(OciError.BLOB_UNKNOWN, "blob unknown to repository: " + digest));
  }

  /**
   * Links a committed blob into a repository (a cross-repository mount).
   *
   * @return the blob, or empty when no such blob is committed
   */
  public Optional<BlobInfo> link(RepositoryName repo, Digest digest) {
    ReentrantLock lock = locks.of(repo);
    lock.lock();
    try {
      Optional<BlobInfo> blob = find(digest);
      if (blob.isEmpty() || index.contains(Column.LAYERS, Keys.inRepo(repo, digest))) {
        return blob;
      }
      Commit commit = new Commit(layout).link(layout.layerLink(repo, digest), digest);
      addLink(commit, repo, digest);
      journal.run(commit, CrashPoint.BLOB);
      return blob;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the blob's link from a repository; the bytes stay for other repositories and GC.
   *
   * @throws OciException BLOB_UNKNOWN when the repository does not link it
   */
  public void unlink(RepositoryName repo, Digest digest) {
    ReentrantLock lock = locks.of(repo);
    lock.lock();
    try {
      requireIn(repo, digest);
      journal.run(
          new Commit(layout).deleteTree(layout.layerLinkDir(repo, digest)).delete(Column.LAYERS, Keys.inRepo(repo, digest)),
          CrashPoint.BLOB);
    } finally {
      lock.unlock();
    }
  }

  /** The lock that serialises the link commits of a repository (shared with manifests and tags). */
  ReentrantLock lockOf(RepositoryName repo) {
    return locks.of(repo);
  }

  /** Adds the index entries of a new layer link (and of the repository, if it is new) to a commit. */
  void addLink(Commit commit, RepositoryName repo, Digest digest) {
    commit.put(Column.LAYERS, Keys.inRepo(repo, digest), new byte[0]);
    addRepository(commit, repo);
  }

  void addRepository(Commit commit, RepositoryName repo) {
    if (!index.contains(Column.REPOSITORIES, repo.value())) {
      commit.put(Column.REPOSITORIES, repo.value(), new RepositoryRecord(clock.millis()));
    }
  }

  /** Adds the index entry of a newly committed blob to a commit. */
  void addBlob(Commit commit, Digest digest, long size) {
    commit.put(Column.BLOBS, digest.toString(), new BlobRecord(size, clock.millis()));
  }
}

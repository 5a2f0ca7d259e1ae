package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.RepositoryRecord;
import io.wharf.storage.layout.Layout;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
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
  private final ReferenceGuard guard;

  BlobStore(Layout layout, Index index, Journal journal, Clock clock, RepositoryLocks locks, ReferenceGuard guard) {
    this.layout = layout;
    this.index = index;
    this.journal = journal;
    this.clock = clock;
    this.locks = locks;
    this.guard = guard;
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
    // a sweep must not delete the blob between the check and the link
    Lock referencing = guard.referencing(List.of(digest.toString()));
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
      referencing.unlock();
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

  /**
   * Bytes of every committed blob (layers, configs and manifests), from the index: what the quota
   * counts. A scan of column BLOBS, about 30 ms for 100k blobs on the 2-core test host (BlobStoreUsageTest
   * measures it; 500 ms with a full JSON decode of each record, hence {@link #sizeOf}):
   * cheap next to an eviction pass and never on a request's path, so no running counter that every
   * writer of BLOBS (commits, GC, fsck repair, rebuild) would have to keep right.
   */
  public long usedBytes() {
    long[] sum = {0};
    index.scan(Column.BLOBS, "", null, (key, value) -> {
      sum[0] += sizeOf(value);
      return true;
    });
    return sum[0];
  }

  /** digest -> size of every committed blob. */
  Map<String, Long> sizes() {
    Map<String, Long> out = new HashMap<>();
    index.scan(Column.BLOBS, "", null, (key, value) -> {
      out.put(key, sizeOf(value));
      return true;
    });
    return out;
  }

  private static final byte[] SIZE_FIELD = "\"size\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * The size of an encoded {@link BlobRecord}: read straight from the JSON when it is the plain
   * number the codec writes (a full decode is most of a 100k-blob scan's time), else decoded.
   */
  static long sizeOf(byte[] record) {
    outer:
    for (int i = 0; i + SIZE_FIELD.length < record.length; i++) {
      for (int j = 0; j < SIZE_FIELD.length; j++) {
        if (record[i + j] != SIZE_FIELD[j]) {
          continue outer;
        }
      }
      long n = 0;
      int k = i + SIZE_FIELD.length;
      int digits = 0;
      while (k < record.length && record[k] >= '0' && record[k] <= '9' && digits < 18) {
        n = n * 10 + (record[k++] - '0');
        digits++;
      }
      if (digits > 0 && k < record.length && (record[k] == ',' || record[k] == '}')) {
        return n;
      }
      break;
    }
    return Records.decode(record, BlobRecord.class).size();
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

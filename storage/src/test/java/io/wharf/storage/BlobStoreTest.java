package io.wharf.storage;

import static io.wharf.storage.OciAssertions.assertError;
import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.filesUnder;
import static io.wharf.storage.TestContent.read;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BlobStoreTest {
  private static final RepositoryName REPO = repo("library/ubuntu");
  private static final RepositoryName OTHER = repo("team/app");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final Random random = new Random(11);
  private Storage storage;

  @BeforeEach
  void open() {
    storage = Storage.open(data);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void findKnowsACommittedBlobWhicheverRepositoryLinksIt() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));

    assertThat(storage.blobs().find(blob.digest())).contains(blob);
    assertThat(storage.blobs().findIn(REPO, blob.digest())).contains(blob);
    assertThat(storage.blobs().findIn(OTHER, blob.digest())).isEmpty();
    assertThat(storage.blobs().find(sha256(new byte[] {0}))).isEmpty();
  }

  @Test
  void requireInIsBlobUnknownForARepositoryThatDoesNotLinkIt() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));

    assertThat(storage.blobs().requireIn(REPO, blob.digest())).isEqualTo(blob);
    assertError(() -> storage.blobs().requireIn(OTHER, blob.digest()), OciError.BLOB_UNKNOWN);
  }

  @Test
  void linkMountsACommittedBlobIntoAnotherRepository() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));

    assertThat(storage.blobs().link(OTHER, blob.digest())).contains(blob);

    assertThat(storage.blobs().findIn(OTHER, blob.digest())).contains(blob);
    assertThat(read(storage.layout().layerLink(OTHER, blob.digest()))).isEqualTo(blob.digest().toString());
    assertThat(storage.repositories().exists(OTHER)).isTrue();
    assertThat(filesUnder(storage.layout().blobsRoot())).containsExactly(blob.path());
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void linkingAnUnknownBlobWritesNothing() {
    Digest unknown = sha256(new byte[] {4, 2});

    assertThat(storage.blobs().link(OTHER, unknown)).isEmpty();

    assertThat(storage.layout().repository(OTHER)).doesNotExist();
    assertThat(storage.repositories().exists(OTHER)).isFalse();
  }

  @Test
  void linkingTwiceIsHarmless() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));

    storage.blobs().link(REPO, blob.digest());
    storage.blobs().link(REPO, blob.digest());

    assertThat(storage.index().keys(Column.LAYERS, "")).containsExactly(Keys.inRepo(REPO, blob.digest()));
  }

  @Test
  void unlinkRemovesTheLinkAndKeepsTheBytesForOtherRepositories() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));
    storage.blobs().link(OTHER, blob.digest());

    storage.blobs().unlink(REPO, blob.digest());

    assertThat(storage.blobs().findIn(REPO, blob.digest())).isEmpty();
    assertThat(storage.layout().layerLinkDir(REPO, blob.digest())).doesNotExist();
    assertThat(storage.blobs().findIn(OTHER, blob.digest())).contains(blob);
    assertThat(storage.blobs().find(blob.digest())).contains(blob);
    assertThat(blob.path()).exists();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void unlinkOfABlobTheRepositoryDoesNotLinkIsBlobUnknown() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));

    assertError(() -> storage.blobs().unlink(OTHER, blob.digest()), OciError.BLOB_UNKNOWN);
    assertError(() -> storage.blobs().unlink(REPO, sha256(new byte[] {1})), OciError.BLOB_UNKNOWN);
  }

  @Test
  void relinkAfterUnlinkRestoresTheLink() {
    BlobInfo blob = upload(storage, REPO, bytes(random, 64));
    storage.blobs().unlink(REPO, blob.digest());

    storage.blobs().link(REPO, blob.digest());

    assertThat(storage.blobs().findIn(REPO, blob.digest())).contains(blob);
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void uploadCompletingWhileTheSameBlobIsUnlinkedLeavesLinkFileAndIndexInAgreement() throws Exception {
    byte[] content = bytes(random, 32);
    Digest digest = upload(storage, REPO, content).digest();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // each round races one commit against one unlink; a later round could heal an earlier
      // round's damage, so every round is checked
      for (int round = 0; round < 60; round++) {
        storage.blobs().link(REPO, digest);
        Upload u = storage.uploads().start(REPO);
        try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
          w.write(java.nio.ByteBuffer.wrap(content));
        }
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> completed = pool.submit(() -> {
          start.await();
          return storage.uploads().complete(REPO, u.id(), digest);
        });
        long delay = TimeUnit.MICROSECONDS.toNanos((round % 30) * 100L);
        Future<?> unlinked = pool.submit(() -> {
          start.await();
          // sweep the unlink across the commit's steps, 100 µs further each round
          LockSupport.parkNanos(delay);
          storage.blobs().unlink(REPO, digest);
          return null;
        });
        completed.get();
        unlinked.get();

        assertThat(StorageConsistency.differences(storage)).as("round %d", round).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

package io.wharf.storage;

import static io.wharf.storage.OciAssertions.assertError;
import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.filesUnder;
import static io.wharf.storage.TestContent.read;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.sha512;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class UploadStoreTest {
  private static final RepositoryName REPO = repo("library/ubuntu");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final Random random = new Random(7);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Storage storage;

  @BeforeEach
  void open() {
    storage = Storage.open(data, clock);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void startCreatesTheSessionFolderAsDistributionDoes() {
    Upload u = storage.uploads().start(REPO);

    Path dir = storage.layout().uploadDir(REPO, u.id());
    assertThat(u.offset()).isZero();
    assertThat(dir.resolve("data")).isEmptyFile();
    assertThat(read(dir.resolve("startedat"))).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(storage.index().keys(Column.UPLOADS, "")).containsExactly(u.id());
  }

  @Test
  void monolithicUploadCommitsTheBlobAndLinksIt() throws Exception {
    byte[] content = bytes(random, 10_000);
    Digest digest = sha256(content);
    Upload u = storage.uploads().start(REPO);

    try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
      w.write(ByteBuffer.wrap(content));
      assertThat(w.offset()).isEqualTo(10_000);
    }
    BlobInfo blob = storage.uploads().complete(REPO, u.id(), digest);

    assertThat(blob.digest()).isEqualTo(digest);
    assertThat(blob.size()).isEqualTo(10_000);
    assertThat(blob.path()).isEqualTo(storage.layout().blobData(digest));
    assertThat(Files.readAllBytes(blob.path())).isEqualTo(content);
    assertThat(read(storage.layout().layerLink(REPO, digest))).isEqualTo(digest.toString());
    assertThat(storage.blobs().findIn(REPO, digest)).contains(blob);
    assertThat(storage.repositories().exists(REPO)).isTrue();
    assertThat(storage.layout().uploadDir(REPO, u.id())).doesNotExist();
    assertThat(storage.index().keys(Column.UPLOADS, "")).isEmpty();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void chunkedUploadAppendsEachChunkAtItsOffset() throws Exception {
    byte[] content = bytes(random, 3 * 4096 + 17);
    Upload u = storage.uploads().start(REPO);
    int[] cuts = {0, 4096, 8192, 12288, content.length};

    for (int i = 0; i + 1 < cuts.length; i++) {
      try (UploadWriter w = storage.uploads().open(REPO, u.id(), cuts[i])) {
        // a request's body arrives in several buffers
        int mid = (cuts[i] + cuts[i + 1]) / 2;
        w.write(ByteBuffer.wrap(content, cuts[i], mid - cuts[i]));
        w.write(ByteBuffer.wrap(content, mid, cuts[i + 1] - mid));
      }
      assertThat(storage.uploads().status(REPO, u.id()).offset()).isEqualTo(cuts[i + 1]);
    }
    BlobInfo blob = storage.uploads().complete(REPO, u.id(), sha256(content));

    assertThat(Files.readAllBytes(blob.path())).isEqualTo(content);
  }

  @Test
  void chunkWithoutAStatedStartIsAppended() {
    Upload u = storage.uploads().start(REPO);
    write(u, 0, new byte[] {1, 2});

    try (UploadWriter w = storage.uploads().open(REPO, u.id(), -1)) {
      w.write(ByteBuffer.wrap(new byte[] {3}));
    }

    assertThat(storage.uploads().complete(REPO, u.id(), sha256(new byte[] {1, 2, 3})).size()).isEqualTo(3);
  }

  @Test
  void statusOfAnUnknownSessionIsUploadUnknown() {
    Upload u = storage.uploads().start(REPO);

    assertError(() -> storage.uploads().status(REPO, "no-such-id"), OciError.BLOB_UPLOAD_UNKNOWN);
    assertError(() -> storage.uploads().status(repo("library/other"), u.id()), OciError.BLOB_UPLOAD_UNKNOWN);
    assertError(() -> storage.uploads().status(REPO, "../" + u.id()), OciError.BLOB_UPLOAD_UNKNOWN);
  }

  @Test
  void chunkAtTheWrongOffsetIsRangeInvalidAndLeavesTheSessionUsable() {
    Upload u = storage.uploads().start(REPO);
    write(u, 0, new byte[] {1, 2, 3});

    assertError(() -> storage.uploads().open(REPO, u.id(), 2), OciError.RANGE_INVALID);
    assertError(() -> storage.uploads().open(REPO, u.id(), 4), OciError.RANGE_INVALID);
    assertError(() -> storage.uploads().open(REPO, u.id(), 0), OciError.RANGE_INVALID);

    write(u, 3, new byte[] {4});
    assertThat(storage.uploads().status(REPO, u.id()).offset()).isEqualTo(4);
  }

  @Test
  void secondWriterIsRefusedWhileTheFirstHoldsTheSession() {
    Upload u = storage.uploads().start(REPO);

    try (UploadWriter first = storage.uploads().open(REPO, u.id(), 0)) {
      first.write(ByteBuffer.wrap(new byte[] {1}));

      assertError(() -> storage.uploads().open(REPO, u.id(), 1), OciError.BLOB_UPLOAD_INVALID);
      assertError(() -> storage.uploads().complete(REPO, u.id(), sha256(new byte[] {1})), OciError.BLOB_UPLOAD_INVALID);
    }

    write(u, 1, new byte[] {2});
    assertThat(storage.uploads().status(REPO, u.id()).offset()).isEqualTo(2);
  }

  @Test
  void writerClosedTwiceReleasesOnceAndRefusesFurtherWrites() {
    Upload u = storage.uploads().start(REPO);
    UploadWriter w = storage.uploads().open(REPO, u.id(), 0);
    w.close();
    UploadWriter second = storage.uploads().open(REPO, u.id(), 0);

    w.close();

    assertError(() -> storage.uploads().open(REPO, u.id(), 0), OciError.BLOB_UPLOAD_INVALID);
    assertThatThrownBy(() -> w.write(ByteBuffer.wrap(new byte[] {1}))).isInstanceOf(IllegalStateException.class);
    second.close();
  }

  @Test
  void cancelRemovesTheSessionAndItsFolder() {
    Upload u = storage.uploads().start(REPO);
    write(u, 0, bytes(random, 100));

    storage.uploads().cancel(REPO, u.id());

    assertThat(storage.layout().uploadDir(REPO, u.id())).doesNotExist();
    assertThat(storage.index().keys(Column.UPLOADS, "")).isEmpty();
    assertError(() -> storage.uploads().status(REPO, u.id()), OciError.BLOB_UPLOAD_UNKNOWN);
    assertError(() -> storage.uploads().cancel(REPO, u.id()), OciError.BLOB_UPLOAD_UNKNOWN);
  }

  @Test
  void cancelIsRefusedWhileARequestWritesToTheSession() {
    Upload u = storage.uploads().start(REPO);

    try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
      assertError(() -> storage.uploads().cancel(REPO, u.id()), OciError.BLOB_UPLOAD_INVALID);
      w.write(ByteBuffer.wrap(new byte[] {9}));
    }

    assertThat(storage.uploads().complete(REPO, u.id(), sha256(new byte[] {9})).size()).isEqualTo(1);
  }

  @Test
  void completeWithTheWrongDigestIsDigestInvalidAndCommitsNothing() {
    byte[] content = bytes(random, 500);
    Digest wrong = sha256(new byte[] {1});
    Upload u = storage.uploads().start(REPO);
    write(u, 0, content);

    assertError(() -> storage.uploads().complete(REPO, u.id(), wrong), OciError.DIGEST_INVALID);

    assertThat(storage.blobs().find(wrong)).isEmpty();
    assertThat(storage.blobs().find(sha256(content))).isEmpty();
    assertThat(filesUnder(storage.layout().blobsRoot())).isEmpty();
    assertThat(storage.layout().repository(REPO).resolve("_layers")).doesNotExist();
    assertThat(storage.layout().uploadDir(REPO, u.id())).doesNotExist();
    assertThat(storage.index().keys(Column.UPLOADS, "")).isEmpty();
    assertThat(storage.index().keys(Column.LAYERS, "")).isEmpty();
    assertThat(storage.repositories().exists(REPO)).isFalse();
    assertError(() -> storage.uploads().status(REPO, u.id()), OciError.BLOB_UPLOAD_UNKNOWN);
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void bytesHashedAsTheyArriveAndWrittenLaterCommitTheBlob() throws Exception {
    byte[] content = bytes(random, 300_000);
    Digest digest = sha256(content);
    Upload u = storage.uploads().start(REPO);

    try (UploadWriter w = storage.uploads().open(REPO, u.id(), -1)) {
      ByteBuffer first = ByteBuffer.allocateDirect(100_000).put(content, 0, 100_000).flip();
      ByteBuffer rest = ByteBuffer.wrap(content, 100_000, 200_000).slice();
      w.hash(first);
      w.hash(rest);
      assertThat(first.remaining()).as("hashing leaves the bytes for the write").isEqualTo(100_000);
      assertThat(w.hashed()).isEqualTo(300_000);
      assertThat(w.hashedDigest()).as("known before any byte is on disk").isEqualTo(digest);
      assertThat(w.offset()).isZero();

      w.appendHashed(first, rest);
      assertThat(w.offset()).isEqualTo(300_000);
    }
    BlobInfo blob = storage.uploads().complete(REPO, u.id(), digest);

    assertThat(blob.size()).isEqualTo(300_000);
    assertThat(Files.readAllBytes(blob.path())).isEqualTo(content);
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void writingBytesThatWereNotHashedIsRefused() {
    Upload u = storage.uploads().start(REPO);

    try (UploadWriter w = storage.uploads().open(REPO, u.id(), -1)) {
      w.hash(ByteBuffer.wrap(new byte[10]));
      assertThatThrownBy(() -> w.appendHashed(ByteBuffer.wrap(new byte[20]))).isInstanceOf(IllegalStateException.class);
      assertThat(w.offset()).isZero();
    }
  }

  @Test
  void aSessionWithHashedBytesNotAllWrittenIsNotCommitted() {
    byte[] content = bytes(random, 1000);
    Digest digest = sha256(content);
    Upload u = storage.uploads().start(REPO);
    try (UploadWriter w = storage.uploads().open(REPO, u.id(), -1)) {
      w.hash(ByteBuffer.wrap(content));
      w.appendHashed(ByteBuffer.wrap(content, 0, 500)); // the writer stopped half-way
    }

    // the hash matches the digest, the file holds half of it: committing it would store a wrong blob
    assertError(() -> storage.uploads().complete(REPO, u.id(), digest), OciError.BLOB_UPLOAD_INVALID);

    assertThat(storage.blobs().find(digest)).isEmpty();
    assertThat(filesUnder(storage.layout().blobsRoot())).isEmpty();
    assertThat(storage.layout().uploadDir(REPO, u.id())).doesNotExist();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void completeWithASha512DigestStoresTheBlobUnderSha512() throws Exception {
    byte[] content = bytes(random, 3000);
    Digest digest = sha512(content);
    Upload u = storage.uploads().start(REPO);
    write(u, 0, Arrays.copyOfRange(content, 0, 1000));
    write(u, 1000, Arrays.copyOfRange(content, 1000, 3000));

    BlobInfo blob = storage.uploads().complete(REPO, u.id(), digest);

    assertThat(data.relativize(blob.path()).toString())
        .isEqualTo("docker/registry/v2/blobs/sha512/" + digest.prefix() + "/" + digest.hex() + "/data");
    assertThat(Files.readAllBytes(blob.path())).isEqualTo(content);
    assertThat(read(storage.layout().layerLink(REPO, digest))).isEqualTo(digest.toString()).startsWith("sha512:");
    assertThat(storage.blobs().findIn(REPO, digest)).contains(blob);
    assertThat(storage.blobs().find(sha256(content))).isEmpty();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void completeWithAWrongSha512DigestIsDigestInvalid() {
    Upload u = storage.uploads().start(REPO);
    write(u, 0, new byte[] {1, 2, 3});

    assertError(() -> storage.uploads().complete(REPO, u.id(), sha512(new byte[] {1, 2})), OciError.DIGEST_INVALID);
    assertThat(filesUnder(storage.layout().blobsRoot())).isEmpty();
  }

  @Test
  void emptyBlobCanBeUploaded() throws Exception {
    Upload u = storage.uploads().start(REPO);

    BlobInfo blob = storage.uploads().complete(REPO, u.id(), sha256(new byte[0]));

    assertThat(blob.size()).isZero();
    assertThat(blob.path()).isEmptyFile();
  }

  @Test
  void completingABlobThatExistsLinksItWithoutASecondCopy() throws Exception {
    byte[] content = bytes(random, 2048);
    RepositoryName other = repo("mirror/ubuntu");
    BlobInfo first = TestContent.upload(storage, REPO, content);
    Object inode = Files.readAttributes(first.path(), BasicFileAttributes.class).fileKey();
    BlobRecord record = storage.index().get(Column.BLOBS, first.digest().toString(), BlobRecord.class).orElseThrow();
    clock.advance(Duration.ofHours(1));

    Upload u = storage.uploads().start(other);
    write(u, 0, content);
    BlobInfo second = storage.uploads().complete(other, u.id(), first.digest());

    assertThat(second).isEqualTo(first);
    assertThat(filesUnder(storage.layout().blobsRoot())).containsExactly(first.path());
    assertThat(Files.readAttributes(first.path(), BasicFileAttributes.class).fileKey()).isEqualTo(inode);
    assertThat(storage.index().get(Column.BLOBS, first.digest().toString(), BlobRecord.class)).contains(record);
    assertThat(read(storage.layout().layerLink(other, first.digest()))).isEqualTo(first.digest().toString());
    assertThat(storage.layout().uploadDir(other, u.id())).doesNotExist();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void expireDiscardsOnlySessionsOlderThanTheMaximumAge() {
    Upload old = storage.uploads().start(REPO);
    clock.advance(Duration.ofHours(2));
    Upload fresh = storage.uploads().start(REPO);
    clock.advance(Duration.ofMinutes(30));

    int expired = storage.uploads().expire(Duration.ofHours(1));

    assertThat(expired).isEqualTo(1);
    assertError(() -> storage.uploads().status(REPO, old.id()), OciError.BLOB_UPLOAD_UNKNOWN);
    assertThat(storage.layout().uploadDir(REPO, old.id())).doesNotExist();
    assertThat(storage.uploads().status(REPO, fresh.id()).offset()).isZero();
  }

  @Test
  void expireLeavesASessionThatIsBeingWritten() {
    Upload u = storage.uploads().start(REPO);
    clock.advance(Duration.ofDays(1));

    try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
      assertThat(storage.uploads().expire(Duration.ofHours(1))).isZero();
      w.write(ByteBuffer.wrap(new byte[] {5}));
    }

    assertThat(storage.uploads().status(REPO, u.id()).offset()).isEqualTo(1);
  }

  private void write(Upload u, long start, byte[] chunk) {
    try (UploadWriter w = storage.uploads().open(u.repo(), u.id(), start)) {
      w.write(ByteBuffer.wrap(chunk));
    }
  }
}

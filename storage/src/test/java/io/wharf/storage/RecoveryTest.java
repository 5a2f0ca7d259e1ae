package io.wharf.storage;

import static io.wharf.storage.OciAssertions.assertError;
import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.filesUnder;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.read;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.ReferrerRecord;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each crash window of the commit protocol, staged without halting the JVM: the test writes what a
 * process killed at that point would have left (through the journal's own encoding), closes, and
 * reopens. A restart must find the whole object or none of it, and nothing else left behind.
 */
final class RecoveryTest {
  private static final RepositoryName REPO = repo("library/ubuntu");

  @TempDir Path data;
  private final Random random = new Random(17);

  @Test
  void restartDeletesTempFilesAndUploadSessions() throws Exception {
    String id;
    try (Storage storage = Storage.open(data)) {
      Upload u = storage.uploads().start(REPO);
      try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
        w.write(ByteBuffer.wrap(bytes(random, 1000)));
      }
      id = u.id();
      Path tmp = storage.layout().tmpDir();
      Files.write(tmp.resolve("m-0b7c3f1e"), bytes(random, 10));
      Files.createDirectories(tmp.resolve("w-dir/nested"));
      Files.write(tmp.resolve("w-dir/nested/f"), bytes(random, 10));
      // a session folder whose record was never synced
      Path stale = storage.layout().uploadDir(repo("team/app"), "stale-session");
      Files.createDirectories(stale);
      Files.write(stale.resolve("data"), bytes(random, 10));
    }

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.layout().tmpDir()).isEmptyDirectory();
      assertThat(storage.layout().repository(REPO).resolve("_uploads")).doesNotExist();
      assertThat(storage.layout().repository(repo("team/app")).resolve("_uploads")).doesNotExist();
      assertThat(storage.index().keys(Column.UPLOADS, "")).isEmpty();
      assertError(() -> storage.uploads().status(REPO, id), OciError.BLOB_UPLOAD_UNKNOWN);
      assertThat(StorageConsistency.differences(storage)).isEmpty();
    }
  }

  @Test
  void crashBeforeTheJournalEntryCommitsNothing() throws Exception {
    byte[] content = bytes(random, 2000);
    try (Storage storage = Storage.open(data)) {
      // an upload verified and fsynced, and a manifest temp file, neither journaled yet
      Upload u = storage.uploads().start(REPO);
      try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
        w.write(ByteBuffer.wrap(content));
      }
      Files.write(storage.layout().tmpDir().resolve("m-" + sha256(content).hex()), content);
    }

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.blobs().find(sha256(content))).isEmpty();
      assertThat(filesUnder(storage.layout().blobsRoot())).isEmpty();
      assertThat(storage.repositories().exists(REPO)).isFalse();
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void uploadCommitJournaledButNoFileStepRunIsRolledForward() throws Exception {
    byte[] content = bytes(random, 5000);
    Digest digest = sha256(content);
    try (Storage storage = Storage.open(data)) {
      Commit commit = journaledUploadCommit(storage, content);
      assertThat(commit.files()).hasSize(3);
    }

    try (Storage storage = Storage.open(data)) {
      assertBlobCommitted(storage, content);
      assertThat(storage.index().keys(Column.JOURNAL, "")).isEmpty();
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void uploadCommitWhoseBlobWasMovedButNotLinkedIsRolledForward() throws Exception {
    byte[] content = bytes(random, 5000);
    try (Storage storage = Storage.open(data)) {
      Commit commit = journaledUploadCommit(storage, content);
      FileOp.Move move = (FileOp.Move) commit.files().get(0);
      AtomicFiles.move(storage.layout().resolve(move.from()), storage.layout().resolve(move.to()));
    }

    try (Storage storage = Storage.open(data)) {
      assertBlobCommitted(storage, content);
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void commitWhoseFileStepsAllRanButNotItsIndexBatchIsRolledForward() throws Exception {
    byte[] content = bytes(random, 5000);
    try (Storage storage = Storage.open(data)) {
      Commit commit = journaledUploadCommit(storage, content);
      commit.files().forEach(op -> op.apply(storage.layout()));
      assertThat(storage.blobs().find(sha256(content))).isEmpty();
    }

    try (Storage storage = Storage.open(data)) {
      assertBlobCommitted(storage, content);
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void recoveryInterruptedHalfWayIsRolledForwardAgain() throws Exception {
    byte[] content = bytes(random, 5000);
    try (Storage storage = Storage.open(data)) {
      Commit commit = journaledUploadCommit(storage, content);
      // a first restart died after two of the three steps
      commit.files().get(0).apply(storage.layout());
      commit.files().get(1).apply(storage.layout());
      commit.files().get(1).apply(storage.layout());
    }

    try (Storage storage = Storage.open(data)) {
      assertBlobCommitted(storage, content);
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void manifestPushJournaledBeforeItsRenameIsRolledForwardWithItsTagAndReferrer() throws Exception {
    Pushed subject;
    Pushed referrer;
    try (Storage storage = Storage.open(data)) {
      BlobInfo config = upload(storage, REPO, TestContent.text("{}"));
      BlobInfo layer = upload(storage, REPO, bytes(random, 300));
      subject = image(List.of(config, layer), null, null);
      subject.put(storage, REPO, tag("v1"));
      referrer = image(List.of(config), subject, "application/vnd.example.sig");
      journalManifestPut(storage, referrer, tag("sig"));
    }

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.manifests().find(REPO, referrer.digest()))
          .hasValueSatisfying(e -> assertThat(e.body()).isEqualTo(referrer.body()));
      assertThat(read(storage.layout().tagCurrentLink(REPO, tag("sig")))).isEqualTo(referrer.digest().toString());
      assertThat(storage.tags().find(REPO, tag("sig"))).hasValueSatisfying(t -> assertThat(t.digest()).isEqualTo(referrer.digest().toString()));
      assertThat(storage.manifests().referrers(REPO, subject.digest())).singleElement()
          .satisfies(d -> assertThat(d.digest()).isEqualTo(referrer.digest()));
      assertThat(storage.layout().tmpDir()).isEmptyDirectory();
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void tagDeleteJournaledAndHalfDoneIsRolledForward() throws Exception {
    Pushed m;
    try (Storage storage = Storage.open(data)) {
      m = image(List.of(upload(storage, REPO, TestContent.text("{}"))), null, null);
      m.put(storage, REPO, tag("latest"));
      m.put(storage, REPO, tag("stable"));
      Layout layout = storage.layout();
      Commit commit = new Commit(layout)
          .deleteTree(layout.tagDir(REPO, tag("latest")))
          .delete(Column.TAGS, Keys.inRepo(REPO, "latest"));
      new Journal(layout, storage.index()).writeEntry(commit);
      // the walk deletes deepest first: the crash came after current/link went
      Files.delete(layout.tagCurrentLink(REPO, tag("latest")));
    }

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.tags().list(REPO, null, 10)).containsExactly("stable");
      assertThat(storage.layout().tagDir(REPO, tag("latest"))).doesNotExist();
      assertThat(storage.manifests().contains(REPO, m.digest())).isTrue();
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void manifestDeleteJournaledButNotRunIsRolledForward() throws Exception {
    Pushed subject;
    Pushed referrer;
    try (Storage storage = Storage.open(data)) {
      BlobInfo config = upload(storage, REPO, TestContent.text("{}"));
      subject = image(List.of(config), null, null);
      referrer = image(List.of(config), subject, "application/vnd.example.sig");
      subject.put(storage, REPO, null);
      referrer.put(storage, REPO, tag("sig"));
      Layout layout = storage.layout();
      Commit commit = new Commit(layout)
          .deleteTree(layout.revisionLinkDir(REPO, referrer.digest()))
          .delete(Column.MANIFESTS, Keys.inRepo(REPO, referrer.digest()))
          .deleteTree(layout.tagDir(REPO, tag("sig")))
          .delete(Column.TAGS, Keys.inRepo(REPO, "sig"))
          .delete(Column.REFERRERS, Keys.of(REPO.value(), subject.digest().toString(), referrer.digest().toString()));
      new Journal(layout, storage.index()).writeEntry(commit);
    }

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.manifests().contains(REPO, referrer.digest())).isFalse();
      assertThat(storage.tags().list(REPO, null, 10)).isEmpty();
      assertThat(storage.manifests().referrers(REPO, subject.digest())).isEmpty();
      assertThat(storage.manifests().contains(REPO, subject.digest())).isTrue();
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void journalEntriesOfSeveralInterruptedCommitsAreAllRolledForward() throws Exception {
    byte[] first = bytes(random, 100);
    byte[] second = bytes(random, 200);
    try (Storage storage = Storage.open(data)) {
      journaledUploadCommit(storage, first);
      journaledUploadCommit(storage, second);
      assertThat(storage.index().keys(Column.JOURNAL, "")).hasSize(2);
    }

    try (Storage storage = Storage.open(data)) {
      assertBlobCommitted(storage, first);
      assertBlobCommitted(storage, second);
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  /**
   * What {@link UploadStore#complete} journals for a new blob, written as the journal's entry and
   * nothing more: a crash right after the synced journal write.
   */
  private static Commit journaledUploadCommit(Storage storage, byte[] content) {
    Digest digest = sha256(content);
    Layout layout = storage.layout();
    Upload u = storage.uploads().start(REPO);
    try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
      w.write(ByteBuffer.wrap(content));
    }
    Commit commit = new Commit(layout)
        .move(layout.uploadData(REPO, u.id()), layout.blobData(digest))
        .deleteTree(layout.uploadDir(REPO, u.id()))
        .link(layout.layerLink(REPO, digest), digest)
        .delete(Column.UPLOADS, u.id());
    storage.blobs().addBlob(commit, digest, content.length);
    storage.blobs().addLink(commit, REPO, digest);
    new Journal(layout, storage.index()).writeEntry(commit);
    return commit;
  }

  /** What {@link ManifestStore#put} journals: the fsynced temp file and the entry, nothing more. */
  private static void journalManifestPut(Storage storage, Pushed m, Tag tag) throws Exception {
    Layout layout = storage.layout();
    Path temp = layout.tmpDir().resolve("m-staged");
    Files.write(temp, m.body());
    Commit commit = new Commit(layout).move(temp, layout.blobData(m.digest()));
    storage.blobs().addBlob(commit, m.digest(), m.body().length);
    commit.link(layout.revisionLink(REPO, m.digest()), m.digest());
    commit.put(Column.MANIFESTS, Keys.inRepo(REPO, m.digest()),
        new ManifestRecord(m.manifest().mediaType(), m.body().length, List.of(), m.manifest().subject().digest().toString(),
            m.manifest().effectiveArtifactType(), 1));
    storage.manifests().tag(commit, REPO, tag, m.digest(), 1);
    commit.put(Column.REFERRERS, Keys.of(REPO.value(), m.manifest().subject().digest().toString(), m.digest().toString()),
        new ReferrerRecord(m.manifest().mediaType(), m.body().length, m.manifest().effectiveArtifactType(), Map.of()));
    new Journal(layout, storage.index()).writeEntry(commit);
  }

  private static void assertBlobCommitted(Storage storage, byte[] content) throws Exception {
    Digest digest = sha256(content);
    BlobInfo blob = storage.blobs().findIn(REPO, digest).orElseThrow();
    assertThat(blob.size()).isEqualTo(content.length);
    assertThat(Files.readAllBytes(blob.path())).isEqualTo(content);
    assertThat(read(storage.layout().layerLink(REPO, digest))).isEqualTo(digest.toString());
    assertThat(storage.repositories().exists(REPO)).isTrue();
    assertThat(storage.layout().repository(REPO).resolve("_uploads")).doesNotExist();
  }
}

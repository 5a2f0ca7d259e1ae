package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.FsckProblem.Kind;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.LinkFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of damage fsck exists for: planted, found (and only with deep where it takes hashing), repaired. */
final class FsckTest {
  private static final RepositoryName REPO = repo("docker.io/library/alpine");
  private static final RepositoryName OTHER = repo("docker.io/library/busybox");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final Random random = new Random(23);
  private Storage storage;
  private Layout layout;
  private BlobInfo config;
  private BlobInfo layer;
  private Pushed manifest;

  @BeforeEach
  void open() {
    storage = Storage.open(data);
    layout = storage.layout();
    config = upload(storage, REPO, bytes(random, 64));
    layer = upload(storage, REPO, bytes(random, 50_000));
    manifest = image(List.of(config, layer), null, null);
    manifest.put(storage, REPO, tag("3.20"));
    storage.pins().pin(REPO, ManifestReference.of(tag("3.20")), manifest.digest(), "import");
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void aHealthyStorageIsClean() {
    FsckReport report = Fsck.check(storage, true, false, Progress.NONE);

    assertThat(report.problems()).isEmpty();
    assertThat(report.clean()).isTrue();
    assertThat(report.blobs()).isEqualTo(3);
    assertThat(report.bytesHashed()).isEqualTo(64 + 50_000 + manifest.body().length);
  }

  @Test
  void aTruncatedBlobIsFoundThenQuarantinedAndNeverServedAgain() throws Exception {
    byte[] whole = Files.readAllBytes(layer.path());
    Files.write(layer.path(), java.util.Arrays.copyOf(whole, 1000));

    FsckReport found = Fsck.check(storage, false, false, Progress.NONE);
    assertThat(found.of(Kind.BLOB_TRUNCATED)).singleElement()
        .satisfies(p -> assertThat(p.subject()).contains(layer.digest().hex()))
        .satisfies(p -> assertThat(p.detail()).contains("1000 bytes").contains("50000"))
        .satisfies(p -> assertThat(p.repair()).isEmpty());
    assertThat(found.clean()).isFalse();
    assertThat(layer.path()).exists();
    assertThat(storage.blobs().find(layer.digest())).isPresent();

    FsckReport repaired = Fsck.check(storage, false, true, Progress.NONE);
    assertThat(repaired.of(Kind.BLOB_TRUNCATED)).singleElement().satisfies(p -> assertThat(p.repair()).contains("_wharf/quarantine/"));
    assertThat(repaired.of(Kind.DANGLING_LINK)).singleElement().satisfies(p -> assertThat(p.subject()).contains("_layers"));
    assertThat(layer.path()).doesNotExist();
    assertThat(storage.blobs().find(layer.digest())).isEmpty();
    assertThat(storage.blobs().findIn(REPO, layer.digest())).isEmpty();
    assertThat(TestContent.filesUnder(layout.root().resolve("_wharf/quarantine")))
        .singleElement().satisfies(p -> assertThat(Files.size(p)).isEqualTo(1000));

    FsckReport after = Fsck.check(storage, true, false, Progress.NONE);
    assertThat(after.clean()).as("%s", after.problems()).isTrue();
    // the manifest is still there and still names the blob: the next pull fetches it again
    assertThat(after.of(Kind.MISSING_REFERENCE)).singleElement().satisfies(p -> assertThat(p.detail()).contains(layer.digest().toString()));
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void danglingLinksAreFoundAndRemoved() throws Exception {
    Digest nowhere = sha256(new byte[] {7});
    LinkFile.write(layout.layerLink(OTHER, nowhere), nowhere, layout.tmpDir());
    storage.blobs().link(OTHER, config.digest());
    // a tag whose manifest is not a revision of its repository
    LinkFile.write(layout.tagCurrentLink(OTHER, tag("1")), manifest.digest(), layout.tmpDir());

    FsckReport found = Fsck.check(storage, false, false, Progress.NONE);
    assertThat(found.of(Kind.DANGLING_LINK)).extracting(FsckProblem::subject)
        .containsExactlyInAnyOrder(
            "repositories/docker.io/library/busybox/_layers/sha256/" + nowhere.hex(),
            "repositories/docker.io/library/busybox/_manifests/tags/1");

    Fsck.check(storage, false, true, Progress.NONE);
    assertThat(layout.layerLinkDir(OTHER, nowhere)).doesNotExist();
    assertThat(layout.tagDir(OTHER, tag("1"))).doesNotExist();
    assertThat(storage.blobs().findIn(OTHER, config.digest())).isPresent();
    assertThat(Fsck.check(storage, false, false, Progress.NONE).problems()).isEmpty();
  }

  @Test
  void orphanFilesAreFoundAndTheWholeOnesIndexed() throws Exception {
    byte[] content = bytes(random, 300);
    Digest orphan = sha256(content);
    Files.createDirectories(layout.blobData(orphan).getParent());
    Files.write(layout.blobData(orphan), content);
    Path junk = layout.blobsRoot().resolve("sha256/junk.txt");
    Files.writeString(junk, "x");
    Path oldTemp = layout.tmpDir().resolve("w-old");
    Files.writeString(oldTemp, "x");
    Files.setLastModifiedTime(oldTemp, FileTime.from(Instant.now().minus(Fsck.TEMP_GRACE).minusSeconds(60)));
    Path youngTemp = layout.tmpDir().resolve("w-young");
    Files.writeString(youngTemp, "x");

    FsckReport found = Fsck.check(storage, false, false, Progress.NONE);
    assertThat(found.of(Kind.ORPHAN_BLOB)).singleElement().satisfies(p -> assertThat(p.subject()).isEqualTo("BLOBS " + orphan));
    assertThat(found.of(Kind.STRAY_FILE)).extracting(FsckProblem::subject)
        .containsExactlyInAnyOrder("blobs/sha256/junk.txt", "_wharf/tmp/w-old");

    Fsck.check(storage, false, true, Progress.NONE);
    assertThat(storage.blobs().find(orphan)).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(300));
    assertThat(junk).doesNotExist();
    assertThat(oldTemp).doesNotExist();
    assertThat(youngTemp).exists();
    Files.delete(youngTemp);
    assertThat(Fsck.check(storage, true, false, Progress.NONE).problems()).isEmpty();
  }

  @Test
  void aBlobWithTheRightSizeButWrongBytesTakesDeep() throws Exception {
    byte[] bytes = Files.readAllBytes(layer.path());
    bytes[12_345] ^= 0x40;
    Files.write(layer.path(), bytes);

    assertThat(Fsck.check(storage, false, false, Progress.NONE).problems()).isEmpty();
    FsckReport deep = Fsck.check(storage, true, false, Progress.NONE);
    assertThat(deep.of(Kind.BLOB_CORRUPT)).singleElement().satisfies(p -> assertThat(p.detail()).contains("hash to"));

    Fsck.check(storage, true, true, Progress.NONE);
    assertThat(layer.path()).doesNotExist();
    assertThat(storage.blobs().find(layer.digest())).isEmpty();
    assertThat(Fsck.check(storage, true, false, Progress.NONE).clean()).isTrue();
  }

  @Test
  void aCorruptManifestBlobIsFoundWithoutDeepAndItsTagGoesWithIt() throws Exception {
    byte[] body = Files.readAllBytes(layout.blobData(manifest.digest()));
    body[body.length - 2] = ' ';
    Files.write(layout.blobData(manifest.digest()), body);

    FsckReport found = Fsck.check(storage, false, false, Progress.NONE);
    assertThat(found.of(Kind.BLOB_CORRUPT)).singleElement().satisfies(p -> assertThat(p.subject()).contains(manifest.digest().hex()));
    assertThat(found.of(Kind.DANGLING_LINK)).hasSize(2); // the revision, then the tag pointing at it

    Fsck.check(storage, false, true, Progress.NONE);
    assertThat(storage.manifests().find(REPO, manifest.digest())).isEmpty();
    assertThat(storage.tags().find(REPO, tag("3.20"))).isEmpty();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void indexEntriesThatDisagreeWithTheFilesAreFixed() {
    Digest ghost = sha256(new byte[] {9});
    storage.index().write(new IndexBatch()
        .delete(Column.LAYERS, Keys.inRepo(REPO, config.digest()))
        .put(Column.LAYERS, Keys.inRepo(REPO, ghost), new byte[0])
        .put(Column.TAGS, Keys.inRepo(REPO, "3.20"), new TagRecord(config.digest().toString(), 1, 1))
        .put(Column.BLOBS, ghost.toString(), new BlobRecord(1, 1)));

    FsckReport found = Fsck.check(storage, false, false, Progress.NONE);
    assertThat(found.counts()).containsEntry(Kind.MISSING_ENTRY, 1).containsEntry(Kind.STALE_ENTRY, 1)
        .containsEntry(Kind.WRONG_ENTRY, 1).containsEntry(Kind.BLOB_MISSING, 1);
    assertThat(found.of(Kind.WRONG_ENTRY)).singleElement().satisfies(p -> assertThat(p.subject()).isEqualTo("TAGS " + REPO + " 3.20"));

    Fsck.check(storage, false, true, Progress.NONE);
    assertThat(StorageConsistency.differences(storage)).isEmpty();
    assertThat(storage.tags().find(REPO, tag("3.20"))).hasValueSatisfying(t -> assertThat(t.digest()).isEqualTo(manifest.digest().toString()));
    assertThat(Fsck.check(storage, false, false, Progress.NONE).problems()).isEmpty();
  }

  @Test
  void pinsThatDisagreeWithTheirFilesAreReindexed() {
    storage.index().write(new IndexBatch().delete(Column.PINS, Keys.inRepo(REPO, "3.20")));

    assertThat(Fsck.check(storage, false, false, Progress.NONE).of(Kind.PIN_MISMATCH)).hasSize(1);
    Fsck.check(storage, false, true, Progress.NONE);
    assertThat(storage.pins().find(REPO, ManifestReference.of(tag("3.20")))).isPresent();
  }

  @Test
  void progressHearsTheBytesHashedAndEachProblem() throws Exception {
    Files.delete(config.path());
    List<String> notes = new ArrayList<>();
    long[] advanced = {0};
    Progress progress = new Progress() {
      @Override
      public void advance(long bytes) {
        advanced[0] += bytes;
      }

      @Override
      public void note(String message) {
        notes.add(message);
      }
    };

    Fsck.check(storage, true, false, progress);

    assertThat(advanced[0]).isEqualTo(50_000 + manifest.body().length);
    assertThat(notes).anyMatch(n -> n.startsWith("BLOB_MISSING BLOBS " + config.digest()));
  }
}

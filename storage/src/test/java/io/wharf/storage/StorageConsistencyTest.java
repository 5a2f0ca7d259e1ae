package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ReferrerRecord;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker itself: each kind of damage it exists to find, it finds. */
final class StorageConsistencyTest {
  private static final RepositoryName REPO = repo("library/ubuntu");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final Random random = new Random(19);
  private Storage storage;
  private Layout layout;
  private BlobInfo blob;
  private Pushed manifest;

  @BeforeEach
  void open() {
    storage = Storage.open(data);
    layout = storage.layout();
    blob = upload(storage, REPO, bytes(random, 100));
    manifest = image(List.of(blob), null, null);
    manifest.put(storage, REPO, tag("latest"));
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void findsNothingInAHealthyDataFolder() {
    assertThat(StorageConsistency.differences(storage)).isEmpty();
    storage.close();
    assertThat(StorageConsistency.differences(data)).isEmpty();
    storage = Storage.open(data);
  }

  @Test
  void findsAnIndexedBlobWithoutItsFile() throws Exception {
    Files.delete(blob.path());

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.contains("has no data file"));
  }

  @Test
  void findsATornBlob() throws Exception {
    byte[] torn = Files.readAllBytes(blob.path());
    torn[torn.length - 1] ^= 1;
    Files.write(blob.path(), torn);

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.contains("hashes to"));

    Files.write(blob.path(), new byte[3]);
    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.contains("its data file has 3"));
  }

  @Test
  void findsABlobFileTheIndexDoesNotKnow() throws Exception {
    Digest stray = sha256(new byte[] {1});
    Files.createDirectories(layout.blobData(stray).getParent());
    Files.write(layout.blobData(stray), new byte[] {1});
    Files.writeString(layout.blobsRoot().resolve("junk"), "x");

    assertThat(StorageConsistency.differences(storage))
        .anyMatch(d -> d.contains("has no BLOBS entry"))
        .anyMatch(d -> d.contains("stray file under blobs"));
  }

  @Test
  void findsALinkFileWithANewline() throws Exception {
    Files.writeString(layout.layerLink(REPO, blob.digest()), blob.digest() + "\n");

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.contains("does not hold exactly a digest"));
  }

  @Test
  void findsALinkHoldingAnotherDigestThanItsPath() throws Exception {
    Files.writeString(layout.revisionLink(REPO, manifest.digest()), blob.digest().toString());

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.contains("its path names"));
  }

  @Test
  void findsALayerEntryWithoutItsLinkAndALinkWithoutItsEntry() throws Exception {
    Files.delete(layout.layerLink(REPO, blob.digest()));
    RepositoryName other = repo("other");
    Files.createDirectories(layout.layerLinkDir(other, blob.digest()));
    Files.writeString(layout.layerLink(other, blob.digest()), blob.digest().toString());

    assertThat(StorageConsistency.differences(storage))
        .anyMatch(d -> d.startsWith("LAYERS library/ubuntu " + blob.digest() + " has no _layers link"))
        .anyMatch(d -> d.startsWith("_layers link other " + blob.digest() + " has no LAYERS entry"))
        .anyMatch(d -> d.startsWith("layer folder without a link"));
  }

  @Test
  void findsATagWhoseLinkAndEntryDisagree() {
    storage.index().write(new IndexBatch().put(Column.TAGS, Keys.inRepo(REPO, "latest"), new TagRecord(blob.digest().toString(), 0, 0)));

    assertThat(StorageConsistency.differences(storage))
        .anyMatch(d -> d.contains("in TAGS but " + manifest.digest() + " on disk"))
        .anyMatch(d -> d.contains("not a manifest of library/ubuntu"));
  }

  @Test
  void findsATagFolderWithoutCurrentLink() throws Exception {
    Files.delete(layout.tagCurrentLink(REPO, tag("latest")));

    assertThat(StorageConsistency.differences(storage))
        .anyMatch(d -> d.startsWith("tag folder without current/link"))
        .anyMatch(d -> d.startsWith("TAGS library/ubuntu latest has no tag current link"));
  }

  @Test
  void findsAManifestEntryWithoutItsRevisionLink() throws Exception {
    Files.delete(layout.revisionLink(REPO, manifest.digest()));

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.startsWith("MANIFESTS library/ubuntu " + manifest.digest()));
  }

  @Test
  void findsAReferrerWhoseManifestIsGone() {
    storage.index().write(new IndexBatch().put(Column.REFERRERS,
        Keys.of(REPO.value(), manifest.digest().toString(), blob.digest().toString()), new ReferrerRecord("m", 1, null, Map.of())));

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.startsWith("REFERRERS"));
  }

  @Test
  void findsLeftoversOfInterruptedWrites() throws Exception {
    Files.writeString(layout.tmpDir().resolve("w-1"), "x");
    storage.uploads().start(REPO);
    new Journal(layout, storage.index()).writeEntry(new Commit(layout).delete(Column.TAGS, "x"));

    assertThat(StorageConsistency.differences(storage))
        .anyMatch(d -> d.startsWith("temp file left behind"))
        .anyMatch(d -> d.startsWith("upload session left behind"))
        .anyMatch(d -> d.startsWith("UPLOADS entry left behind"))
        .anyMatch(d -> d.startsWith("JOURNAL entry not rolled forward"));
  }

  @Test
  void findsAStrayFileInARepository() throws Exception {
    Files.writeString(layout.repository(REPO).resolve("_manifests/notes.txt"), "x");

    assertThat(StorageConsistency.differences(storage)).anyMatch(d -> d.startsWith("stray file in repository library/ubuntu"));
  }
}

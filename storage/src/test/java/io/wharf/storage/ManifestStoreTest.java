package io.wharf.storage;

import static io.wharf.storage.OciAssertions.assertError;
import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.filesUnder;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.read;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.OciError;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.TagRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ManifestStoreTest {
  private static final RepositoryName REPO = repo("library/ubuntu");
  private static final RepositoryName OTHER = repo("library/ubuntu-dev");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final Random random = new Random(13);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private Storage storage;
  private BlobInfo config;
  private BlobInfo layer;

  @BeforeEach
  void open() {
    storage = Storage.open(data, clock);
    config = upload(storage, REPO, TestContent.text("{\"architecture\":\"amd64\",\"os\":\"linux\"}"));
    layer = upload(storage, REPO, bytes(random, 4096));
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void putWithoutTagStoresTheBytesAsABlobAndARevisionLink() throws Exception {
    Pushed m = image(List.of(config, layer), null, null);

    m.put(storage, REPO, null);

    ManifestEntry entry = storage.manifests().find(REPO, m.digest()).orElseThrow();
    assertThat(entry.body()).isEqualTo(m.body());
    assertThat(entry.record())
        .isEqualTo(new ManifestRecord(MediaTypes.OCI_MANIFEST, m.body().length,
            List.of(config.digest().toString(), layer.digest().toString()), null, TestContent.CONFIG_TYPE,
            clock.millis()));
    assertThat(storage.manifests().contains(REPO, m.digest())).isTrue();
    assertThat(Files.readAllBytes(storage.layout().blobData(m.digest()))).isEqualTo(m.body());
    assertThat(storage.blobs().find(m.digest())).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(m.body().length));
    assertThat(read(storage.layout().revisionLink(REPO, m.digest()))).isEqualTo(m.digest().toString());
    // distribution does not link manifests under _layers
    assertThat(storage.blobs().findIn(REPO, m.digest())).isEmpty();
    assertThat(storage.tags().list(REPO, null, 10)).isEmpty();
    assertThat(storage.layout().tmpDir()).isEmptyDirectory();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void putWithTagWritesTheCurrentAndIndexLinks() {
    Pushed m = image(List.of(config, layer), null, null);

    m.put(storage, REPO, tag("22.04"));

    assertThat(read(storage.layout().tagCurrentLink(REPO, tag("22.04")))).isEqualTo(m.digest().toString());
    assertThat(read(storage.layout().tagIndexLink(REPO, tag("22.04"), m.digest()))).isEqualTo(m.digest().toString());
    assertThat(storage.tags().find(REPO, tag("22.04")))
        .contains(new TagRecord(m.digest().toString(), clock.millis(), clock.millis()));
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void findIsEmptyForAnotherRepositoryOrAnUnknownDigest() {
    Pushed m = image(List.of(config, layer), null, null);
    m.put(storage, REPO, null);

    assertThat(storage.manifests().find(OTHER, m.digest())).isEmpty();
    assertThat(storage.manifests().contains(OTHER, m.digest())).isFalse();
    assertThat(storage.manifests().find(REPO, layer.digest())).isEmpty();
  }

  @Test
  void findAfterReopenReadsTheBytesFromDisk() {
    Pushed m = image(List.of(config, layer), null, null);
    m.put(storage, REPO, tag("latest"));
    storage.close();

    storage = Storage.open(data, clock);

    assertThat(storage.manifests().find(REPO, m.digest())).hasValueSatisfying(e -> assertThat(e.body()).isEqualTo(m.body()));
    assertThat(storage.tags().find(REPO, tag("latest"))).hasValueSatisfying(t -> assertThat(t.digest()).isEqualTo(m.digest().toString()));
  }

  @Test
  void tagMovesToAnotherDigestAndTheOldIndexLinkStaysAsDistributionKeepsIt() {
    Pushed first = image(List.of(config, layer), null, null);
    Pushed second = image(List.of(config), null, null);
    first.put(storage, REPO, tag("latest"));
    clock.advance(Duration.ofMinutes(5));

    second.put(storage, REPO, tag("latest"));

    assertThat(read(storage.layout().tagCurrentLink(REPO, tag("latest")))).isEqualTo(second.digest().toString());
    assertThat(read(storage.layout().tagIndexLink(REPO, tag("latest"), second.digest()))).isEqualTo(second.digest().toString());
    assertThat(read(storage.layout().tagIndexLink(REPO, tag("latest"), first.digest()))).isEqualTo(first.digest().toString());
    assertThat(storage.tags().find(REPO, tag("latest")))
        .contains(new TagRecord(second.digest().toString(), clock.millis(), clock.millis()));
    assertThat(storage.manifests().contains(REPO, first.digest())).isTrue();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void deleteRemovesTheManifestAndEveryTagPointingAtIt() {
    Pushed doomed = image(List.of(config, layer), null, null);
    Pushed kept = image(List.of(config), null, null);
    doomed.put(storage, REPO, tag("v1"));
    doomed.put(storage, REPO, tag("latest"));
    kept.put(storage, REPO, tag("v2"));
    doomed.put(storage, OTHER, tag("v1"));

    storage.manifests().delete(REPO, doomed.digest());

    assertThat(storage.manifests().find(REPO, doomed.digest())).isEmpty();
    assertThat(storage.layout().revisionLinkDir(REPO, doomed.digest())).doesNotExist();
    assertThat(storage.tags().list(REPO, null, 10)).containsExactly("v2");
    assertThat(storage.layout().tagDir(REPO, tag("v1"))).doesNotExist();
    assertThat(storage.layout().tagDir(REPO, tag("latest"))).doesNotExist();
    // the bytes stay for the other repository, and for GC to decide
    assertThat(storage.manifests().find(OTHER, doomed.digest())).isPresent();
    assertThat(storage.tags().find(OTHER, tag("v1"))).isPresent();
    assertThat(storage.blobs().find(doomed.digest())).isPresent();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void deleteOfAnUnknownManifestIsManifestUnknown() {
    Pushed m = image(List.of(config, layer), null, null);
    m.put(storage, REPO, null);

    assertError(() -> storage.manifests().delete(OTHER, m.digest()), OciError.MANIFEST_UNKNOWN);
    storage.manifests().delete(REPO, m.digest());
    assertError(() -> storage.manifests().delete(REPO, m.digest()), OciError.MANIFEST_UNKNOWN);
  }

  @Test
  void sameManifestInTwoRepositoriesIsStoredOnce() {
    Pushed m = image(List.of(config, layer), null, null);

    m.put(storage, REPO, tag("a"));
    m.put(storage, OTHER, tag("b"));

    assertThat(filesUnder(storage.layout().blobsRoot())).containsOnlyOnce(storage.layout().blobData(m.digest())).hasSize(3);
    assertThat(storage.repositories().exists(OTHER)).isTrue();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void indexRecordsItsChildManifestsAsReferences() {
    Pushed amd64 = image(List.of(config, layer), null, null);
    Pushed arm64 = image(List.of(config), null, null);
    amd64.put(storage, REPO, null);
    arm64.put(storage, REPO, null);
    Pushed index = TestContent.index(List.of(amd64, arm64));

    index.put(storage, REPO, tag("multi"));

    ManifestRecord record = storage.manifests().find(REPO, index.digest()).orElseThrow().record();
    assertThat(record.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(record.references()).containsExactly(amd64.digest().toString(), arm64.digest().toString());
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void referrersListManifestsWhoseSubjectIsTheGivenOne() {
    Pushed subject = image(List.of(config, layer), null, null);
    subject.put(storage, REPO, tag("latest"));
    Pushed signature = image(List.of(config), subject, "application/vnd.example.signature");
    Pushed sbom = image(List.of(layer, config), subject, null);

    signature.put(storage, REPO, null);
    sbom.put(storage, REPO, null);

    List<Descriptor> referrers = storage.manifests().referrers(REPO, subject.digest());
    assertThat(referrers).containsExactlyInAnyOrder(
        new Descriptor(MediaTypes.OCI_MANIFEST, signature.digest(), signature.body().length, "application/vnd.example.signature", null,
            signature.manifest().annotations()),
        new Descriptor(MediaTypes.OCI_MANIFEST, sbom.digest(), sbom.body().length, TestContent.CONFIG_TYPE, null,
            sbom.manifest().annotations()));
    assertThat(referrers.get(0).annotations()).containsKey("org.example.note");
    assertThat(storage.manifests().find(REPO, sbom.digest()).orElseThrow().record().subject()).isEqualTo(subject.digest().toString());
    assertThat(storage.manifests().referrers(OTHER, subject.digest())).isEmpty();
    assertThat(storage.manifests().referrers(REPO, signature.digest())).isEmpty();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void deletingAReferrerRemovesItsReferrersEntry() {
    Pushed subject = image(List.of(config, layer), null, null);
    Pushed signature = image(List.of(config), subject, "application/vnd.example.signature");
    subject.put(storage, REPO, null);
    signature.put(storage, REPO, null);

    storage.manifests().delete(REPO, signature.digest());

    assertThat(storage.manifests().referrers(REPO, subject.digest())).isEmpty();
    assertThat(storage.index().keys(Column.REFERRERS, "")).isEmpty();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void referrersMayArriveBeforeTheirSubject() {
    Pushed subject = image(List.of(config, layer), null, null);
    Pushed signature = image(List.of(config), subject, "application/vnd.example.signature");

    signature.put(storage, REPO, null);

    assertThat(storage.manifests().referrers(REPO, subject.digest())).extracting(Descriptor::digest).containsExactly(signature.digest());
    assertThat(storage.manifests().find(REPO, subject.digest())).isEmpty();
  }

  @Test
  void manifestBytesAreCachedButAlwaysTheExactBytesPushed() {
    Pushed m = image(List.of(config, layer), null, null);
    m.put(storage, REPO, null);

    byte[] first = storage.manifests().find(REPO, m.digest()).orElseThrow().body();
    byte[] second = storage.manifests().find(REPO, m.digest()).orElseThrow().body();

    assertThat(first).isEqualTo(m.body());
    assertThat(second).isEqualTo(m.body());
    assertThat(Map.of("size", first.length)).containsEntry("size", m.body().length);
  }
}

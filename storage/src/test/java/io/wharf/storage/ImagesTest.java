package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.index;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.storage.TestContent.Pushed;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ImagesTest {
  private static final RepositoryName REPO = repo("docker.io/library/app");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Random random = new Random(5);
  private Storage storage;

  @BeforeEach
  void open() {
    storage = Storage.open(data, clock);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  /** A single-platform image of a config and {@code layers} layers of {@code size} bytes, not tagged. */
  private Pushed pushImage(RepositoryName repo, int layers, int size) {
    List<BlobInfo> blobs = new java.util.ArrayList<>();
    blobs.add(upload(storage, repo, bytes(random, 64)));
    for (int i = 0; i < layers; i++) {
      blobs.add(upload(storage, repo, bytes(random, size)));
    }
    Pushed m = image(blobs, null, null);
    m.put(storage, repo, null);
    return m;
  }

  private static long size(Pushed m) {
    return m.body().length + m.manifest().blobs().stream().mapToLong(d -> d.size()).sum();
  }

  @Test
  void anIndexAndItsPlatformManifestsAreOneImage() {
    Pushed amd64 = pushImage(REPO, 2, 1000);
    Pushed arm64 = pushImage(REPO, 1, 3000);
    Pushed idx = index(List.of(amd64, arm64));
    idx.put(storage, REPO, tag("1.0"));
    Pushed single = pushImage(REPO, 1, 500);
    single.put(storage, REPO, tag("2.0"));
    single.put(storage, REPO, tag("latest"));

    List<ImageSummary> images = storage.images().list();

    assertThat(images).extracting(ImageSummary::digest).containsExactlyInAnyOrder(idx.digest(), single.digest());
    ImageSummary multi = images.stream().filter(i -> i.digest().equals(idx.digest())).findFirst().orElseThrow();
    assertThat(multi.tags()).containsExactly("1.0");
    assertThat(multi.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(multi.size()).isEqualTo(idx.body().length + size(amd64) + size(arm64));
    assertThat(multi.pinned()).isFalse();
    assertThat(multi.pulls()).isZero();
    ImageSummary one = images.stream().filter(i -> i.digest().equals(single.digest())).findFirst().orElseThrow();
    assertThat(one.tags()).containsExactly("2.0", "latest");
    assertThat(one.size()).isEqualTo(size(single));

    // a platform manifest names the image that holds it
    assertThat(storage.images().find(REPO, ManifestReference.of(arm64.digest()))).contains(multi);
    assertThat(storage.images().find(REPO, ManifestReference.of(tag("latest")))).contains(one);
    assertThat(storage.images().find(REPO, ManifestReference.of(tag("nope")))).isEmpty();
  }

  @Test
  void aSharedLayerCountsOncePerImage() {
    BlobInfo config = upload(storage, REPO, bytes(random, 10));
    BlobInfo layer = upload(storage, REPO, bytes(random, 700));
    Pushed a = image(List.of(config, layer), null, null);
    Pushed b = image(List.of(config, layer, layer), null, null);
    a.put(storage, REPO, tag("a"));
    b.put(storage, REPO, tag("b"));

    assertThat(storage.images().find(REPO, ManifestReference.of(tag("b"))).orElseThrow().size())
        .isEqualTo(b.body().length + 10 + 700);
    assertThat(storage.usedBytes()).isEqualTo(10 + 700 + a.body().length + b.body().length);
  }

  @Test
  void aPinByTagByDigestOrOfAPlatformManifestPinsTheImage() {
    Pushed byTag = pushImage(REPO, 1, 100);
    byTag.put(storage, REPO, tag("t"));
    Pushed byDigest = pushImage(REPO, 1, 100);
    Pushed child = pushImage(REPO, 1, 100);
    Pushed idx = index(List.of(child));
    idx.put(storage, REPO, null);
    Pushed movedAway = pushImage(REPO, 1, 100);
    Pushed loose = pushImage(REPO, 1, 100);
    Pushed otherRepo = pushImage(repo("other/app"), 1, 100);
    otherRepo.put(storage, repo("other/app"), tag("t"));

    storage.pins().pin(REPO, ManifestReference.of(tag("t")), byTag.digest(), "cli");
    storage.pins().pin(REPO, ManifestReference.of(byDigest.digest()), byDigest.digest(), "import");
    storage.pins().pin(REPO, ManifestReference.of(child.digest()), child.digest(), "cli");
    // a tag pinned when it named movedAway: the recorded digest still pins movedAway, and the tag
    // now points at loose, which it pins too
    storage.pins().pin(REPO, ManifestReference.of(tag("moving")), movedAway.digest(), "cli");
    loose.put(storage, REPO, tag("moving"));

    assertThat(storage.images().list())
        .filteredOn(ImageSummary::pinned)
        .extracting(ImageSummary::digest)
        .containsExactlyInAnyOrder(byTag.digest(), byDigest.digest(), idx.digest(), movedAway.digest(), loose.digest());
  }

  @Test
  void pullsOfAPlatformManifestCountForItsImage() {
    Pushed amd64 = pushImage(REPO, 1, 10);
    Pushed arm64 = pushImage(REPO, 1, 10);
    Pushed idx = index(List.of(amd64, arm64));
    idx.put(storage, REPO, tag("1"));

    // two pulls by tag (index then a platform each), and one straight by a platform's digest
    storage.access().record(REPO, idx.digest());
    storage.access().record(REPO, amd64.digest());
    clock.advance(Duration.ofMinutes(1));
    storage.access().record(REPO, idx.digest());
    storage.access().record(REPO, arm64.digest());
    clock.advance(Duration.ofMinutes(1));
    storage.access().record(REPO, arm64.digest());

    ImageSummary image = storage.images().find(REPO, ManifestReference.of(tag("1"))).orElseThrow();
    assertThat(image.pulls()).isEqualTo(2);
    assertThat(image.lastPull()).isEqualTo(clock.millis());
    // the same once flushed
    storage.access().flush();
    assertThat(storage.images().find(REPO, ManifestReference.of(tag("1")))).contains(image);
  }
}

package io.wharf.storage;

import static io.wharf.storage.TestContent.repo;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PinsTest {
  private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
  private static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));

  @TempDir(factory = MemoryTempDirs.class) Path data;
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
  void aPinIsAFileAndAnIndexEntry() {
    RepositoryName repo = repo("docker.io/library/nginx");
    Pin pin = storage.pins().pin(repo, ManifestReference.of(new Tag("1.27")), D1, "import");

    assertThat(storage.pins().find(repo, ManifestReference.of(new Tag("1.27")))).contains(pin);
    assertThat(storage.layout().pinFile(repo, ManifestReference.of(new Tag("1.27")))).isRegularFile();
    assertThat(storage.pins().list()).containsExactly(pin);
    assertThat(storage.pins().readFiles()).containsExactly(pin);
  }

  @Test
  void aTagPinAndARepositoryNamedLikeTheTagDoNotMeet() {
    storage.pins().pin(repo("a/b"), ManifestReference.of(new Tag("c")), D1, "cli");
    storage.pins().pin(repo("a/b/c"), ManifestReference.of(D2), D2, "cli");

    assertThat(storage.pins().readFiles()).extracting(Pin::repo, Pin::digest)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(repo("a/b"), D1), org.assertj.core.groups.Tuple.tuple(repo("a/b/c"), D2));
  }

  @Test
  void unpinRemovesBoth() {
    RepositoryName repo = repo("x/y");
    ManifestReference ref = ManifestReference.of(D1);
    storage.pins().pin(repo, ref, D1, "cli");

    assertThat(storage.pins().unpin(repo, ref)).isTrue();
    assertThat(storage.pins().unpin(repo, ref)).isFalse();
    assertThat(storage.pins().list()).isEmpty();
    assertThat(storage.pins().readFiles()).isEmpty();
  }

  @Test
  void reindexRestoresPinsFromTheFilesAndSkipsMalformedOnes() throws Exception {
    RepositoryName repo = repo("docker.io/library/alpine");
    Pin pin = storage.pins().pin(repo, ManifestReference.of(new Tag("3")), D1, "import");
    // the index forgets it (a rebuild starts empty), and a stray file appears beside it
    storage.index().write(new IndexBatch().delete(Column.PINS, "docker.io/library/alpine\0" + "3"));
    Path stray = storage.layout().pinsRoot().resolve("docker.io/library/alpine/_pins/4");
    Files.write(stray, "not json".getBytes(StandardCharsets.UTF_8));
    assertThat(storage.pins().list()).isEmpty();

    assertThat(storage.pins().reindex()).isEqualTo(1);
    assertThat(storage.pins().list()).containsExactly(pin);
  }

  @Test
  void pinsSurviveAReopen() {
    RepositoryName repo = repo("r");
    Pin pin = storage.pins().pin(repo, ManifestReference.of(new Tag("v1")), D2, "push");
    storage.close();
    storage = Storage.open(data);
    assertThat(storage.pins().list()).containsExactly(pin);
  }
}

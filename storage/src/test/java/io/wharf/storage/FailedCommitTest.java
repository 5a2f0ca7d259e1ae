package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.layout.LinkFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit whose file steps fail half-way (a full disk, a broken folder) keeps its journal entry;
 * it is rolled forward before the next commit, so a later commit never lands before it and a
 * restart never replays it over newer state.
 */
final class FailedCommitTest {
  private static final RepositoryName REPO = repo("team/app");
  private static final Tag V1 = tag("v1");

  @TempDir Path data;

  @Test
  void aFailedCommitIsRolledForwardBeforeTheNextOneSoTheNewerTagWins() throws Exception {
    Random random = new Random(5);
    String expected;
    try (Storage storage = Storage.open(data)) {
      BlobInfo config = upload(storage, REPO, TestContent.text("{\"os\":\"linux\"}"));
      Pushed first = image(List.of(config, upload(storage, REPO, bytes(random, 100))), null, null);
      Pushed second = image(List.of(config, upload(storage, REPO, bytes(random, 100))), null, null);

      // a plain file where the tag's folder must go makes the tag link step fail
      Path tagDir = storage.layout().tagDir(REPO, V1);
      Files.createDirectories(tagDir.getParent());
      Files.writeString(tagDir, "in the way");
      assertThatThrownBy(() -> first.put(storage, REPO, V1)).isInstanceOf(RuntimeException.class);
      assertThat(storage.tags().find(REPO, V1)).isEmpty();

      // while the failed commit cannot be completed, later commits are refused rather than reordered
      assertThatThrownBy(() -> second.put(storage, REPO, V1)).isInstanceOf(RuntimeException.class);

      Files.delete(tagDir);
      second.put(storage, REPO, V1);
      assertThat(storage.tags().find(REPO, V1).orElseThrow().digest()).isEqualTo(second.digest().toString());
      assertThat(storage.manifests().contains(REPO, first.digest())).isTrue();
      expected = second.digest().toString();
    }
    try (Storage reopened = Storage.open(data)) {
      assertThat(reopened.tags().find(REPO, V1).orElseThrow().digest()).isEqualTo(expected);
      assertThat(LinkFile.read(reopened.layout().tagCurrentLink(REPO, V1)).orElseThrow().toString()).isEqualTo(expected);
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }
}

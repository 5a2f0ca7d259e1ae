package io.wharf.storage;

import static io.wharf.storage.OciAssertions.assertError;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.OciError;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.TestContent.Pushed;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TagStoreTest {
  private static final RepositoryName REPO = repo("a");

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private Storage storage;
  private Pushed manifest;

  @BeforeEach
  void open() {
    storage = Storage.open(data);
    BlobInfo config = upload(storage, REPO, TestContent.text("{}"));
    manifest = image(List.of(config), null, null);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void listPagesThroughTagsInLexicalOrder() {
    for (String t : List.of("v2", "latest", "v10", "1.0", "V1", "_x", "v1")) {
      manifest.put(storage, REPO, tag(t));
    }

    assertThat(storage.tags().list(REPO, null, 100)).containsExactly("1.0", "V1", "_x", "latest", "v1", "v10", "v2");
    assertThat(storage.tags().list(REPO, null, 3)).containsExactly("1.0", "V1", "_x");
    assertThat(storage.tags().list(REPO, "_x", 3)).containsExactly("latest", "v1", "v10");
    assertThat(storage.tags().list(REPO, "v10", 3)).containsExactly("v2");
    assertThat(storage.tags().list(REPO, "v2", 3)).isEmpty();
    // a last that is not a tag still pages from where it would sort
    assertThat(storage.tags().list(REPO, "m", 2)).containsExactly("v1", "v10");
    assertThat(storage.tags().list(REPO, null, 0)).isEmpty();
  }

  @Test
  void listStaysInsideItsRepository() {
    for (String name : List.of("a-b", "a/b", "a.b", "ab", "b")) {
      manifest.put(storage, repo(name), tag("from-" + name.replace('/', '_')));
    }
    manifest.put(storage, REPO, tag("mine"));

    assertThat(storage.tags().list(REPO, null, 100)).containsExactly("mine");
    assertThat(storage.tags().list(REPO, "mine", 100)).isEmpty();
    assertThat(storage.tags().list(repo("a/b"), null, 100)).containsExactly("from-a_b");
    assertThat(storage.tags().list(repo("nothing"), null, 100)).isEmpty();
  }

  @Test
  void deleteRemovesTheTagFolderAndKeepsTheManifest() {
    manifest.put(storage, REPO, tag("latest"));
    manifest.put(storage, REPO, tag("stable"));

    storage.tags().delete(REPO, tag("latest"));

    assertThat(storage.tags().find(REPO, tag("latest"))).isEmpty();
    assertThat(storage.layout().tagDir(REPO, tag("latest"))).doesNotExist();
    assertThat(storage.tags().list(REPO, null, 10)).containsExactly("stable");
    assertThat(storage.manifests().contains(REPO, manifest.digest())).isTrue();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void deleteOfAnUnknownTagIsManifestUnknown() {
    manifest.put(storage, REPO, tag("latest"));

    assertError(() -> storage.tags().delete(REPO, tag("nope")), OciError.MANIFEST_UNKNOWN);
    assertError(() -> storage.tags().delete(repo("other"), tag("latest")), OciError.MANIFEST_UNKNOWN);
  }
}

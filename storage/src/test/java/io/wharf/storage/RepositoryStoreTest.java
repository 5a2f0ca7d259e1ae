package io.wharf.storage;

import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RepositoryStoreTest {
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
  void repositoriesAppearWhenContentIsCommittedInThem() {
    BlobInfo blob = upload(storage, repo("pushed"), TestContent.text("{}"));
    storage.blobs().link(repo("mounted"), blob.digest());
    image(List.of(blob), null, null).put(storage, repo("manifest/only"), tag("latest"));
    storage.uploads().start(repo("started/only"));

    assertThat(storage.repositories().list(null, 100)).containsExactly("manifest/only", "mounted", "pushed");
    assertThat(storage.repositories().exists(repo("started/only"))).isFalse();
    assertThat(storage.repositories().exists(repo("pushed"))).isTrue();
  }

  @Test
  void listPagesThroughNamesInLexicalOrder() {
    BlobInfo blob = upload(storage, repo("a"), TestContent.text("x"));
    for (String name : List.of("b", "a-b", "a/b", "a.b", "a/b/c", "c0", "ab")) {
      storage.blobs().link(repo(name), blob.digest());
    }

    assertThat(storage.repositories().list(null, 100)).containsExactly("a", "a-b", "a.b", "a/b", "a/b/c", "ab", "b", "c0");
    assertThat(storage.repositories().list(null, 2)).containsExactly("a", "a-b");
    assertThat(storage.repositories().list("a-b", 3)).containsExactly("a.b", "a/b", "a/b/c");
    assertThat(storage.repositories().list("a/b/c", 3)).containsExactly("ab", "b", "c0");
    assertThat(storage.repositories().list("c0", 3)).isEmpty();
    assertThat(storage.repositories().list("aa", 1)).containsExactly("ab");
    assertThat(storage.repositories().list(null, 0)).isEmpty();
  }
}

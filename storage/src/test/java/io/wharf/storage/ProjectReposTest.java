package io.wharf.storage;

import static io.wharf.storage.TestContent.repo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciException;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ProjectReposTest {
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
  void aMembershipIsAMarkerFileAndAnIndexEntry() {
    storage.projectRepos().add("spectro-images", repo("docker.io/library/nginx"));
    storage.projectRepos().add("spectro-images", repo("docker.io/library/nginx"));
    storage.projectRepos().add("spectro-images", repo("127.0.0.1_5000/a/b"));
    storage.projectRepos().add("spectro-images-2", repo("ghcr.io/x/y"));

    assertThat(storage.projectRepos().list("spectro-images"))
        .containsExactly(repo("127.0.0.1_5000/a/b"), repo("docker.io/library/nginx"));
    assertThat(storage.projectRepos().list("spectro-images-2")).containsExactly(repo("ghcr.io/x/y"));
    assertThat(storage.projectRepos().root().resolve("spectro-images/docker.io/library/nginx/_member")).isRegularFile();
  }

  @Test
  void reindexRestoresMembershipsFromTheFiles() throws Exception {
    storage.projectRepos().add("p", repo("docker.io/library/nginx"));
    storage.projectRepos().add("p", repo("docker.io/library/nginx/sub"));
    storage.index().write(new IndexBatch().delete(Column.PROJECT_REPOS, "p\0docker.io/library/nginx"));
    // a stray marker the index never had, and a malformed one
    Path extra = storage.projectRepos().root().resolve("q/ghcr.io/x/_member");
    Files.createDirectories(extra.getParent());
    Files.write(extra, new byte[0]);
    Path bad = storage.projectRepos().root().resolve("q/_member");
    Files.write(bad, new byte[0]);

    assertThat(storage.projectRepos().reindex()).isEqualTo(3);
    assertThat(storage.projectRepos().list("p")).containsExactly(repo("docker.io/library/nginx"), repo("docker.io/library/nginx/sub"));
    assertThat(storage.projectRepos().list("q")).containsExactly(repo("ghcr.io/x"));
  }

  @Test
  void membershipsSurviveAReopenAndABadProjectIsRefused() {
    storage.projectRepos().add("p", repo("a/b"));
    storage.close();
    storage = Storage.open(data);
    assertThat(storage.projectRepos().list("p")).containsExactly(repo("a/b"));
    assertThatThrownBy(() -> storage.projectRepos().add("a/b", repo("x"))).isInstanceOf(OciException.class);
    assertThatThrownBy(() -> storage.projectRepos().add("..", repo("x"))).isInstanceOf(OciException.class);
  }
}

package io.wharf.storage.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// expected paths written out by hand from distribution's registry/storage/paths.go
final class LayoutTest {
  private static final String HEX = "ab" + "0123456789abcdef".repeat(3) + "0123456789abcd";
  private static final Digest DIGEST = Digest.parse("sha256:" + HEX);
  private static final Digest SHA512 = Digest.parse("sha512:" + "cd" + "e".repeat(126));
  private static final RepositoryName REPO = RepositoryName.parse("library/ubuntu");

  @TempDir Path data;

  private String path(Path p) {
    return data.relativize(p).toString();
  }

  @Test
  void rootIsDistributionsV2FolderAndIndexSitsBesideIt() {
    Layout layout = new Layout(data);

    assertThat(path(layout.root())).isEqualTo("docker/registry/v2");
    assertThat(path(layout.blobsRoot())).isEqualTo("docker/registry/v2/blobs");
    assertThat(path(layout.repositoriesRoot())).isEqualTo("docker/registry/v2/repositories");
    assertThat(path(layout.tmpDir())).isEqualTo("docker/registry/v2/_wharf/tmp");
    assertThat(path(layout.indexDir())).isEqualTo("index");
  }

  @Test
  void blobDataFansOutByTheFirstTwoHexCharacters() {
    Layout layout = new Layout(data);

    assertThat(path(layout.blobData(DIGEST))).isEqualTo("docker/registry/v2/blobs/sha256/ab/" + HEX + "/data");
    assertThat(path(layout.blobData(SHA512))).isEqualTo("docker/registry/v2/blobs/sha512/cd/" + SHA512.hex() + "/data");
  }

  @Test
  void repositoryLinksFollowPathsGo() {
    Layout layout = new Layout(data);
    Tag tag = new Tag("22.04");
    String repo = "docker/registry/v2/repositories/library/ubuntu/";

    assertThat(path(layout.repository(REPO))).isEqualTo("docker/registry/v2/repositories/library/ubuntu");
    assertThat(path(layout.layerLink(REPO, DIGEST))).isEqualTo(repo + "_layers/sha256/" + HEX + "/link");
    assertThat(path(layout.layerLinkDir(REPO, DIGEST))).isEqualTo(repo + "_layers/sha256/" + HEX);
    assertThat(path(layout.revisionLink(REPO, DIGEST))).isEqualTo(repo + "_manifests/revisions/sha256/" + HEX + "/link");
    assertThat(path(layout.revisionLinkDir(REPO, DIGEST))).isEqualTo(repo + "_manifests/revisions/sha256/" + HEX);
    assertThat(path(layout.tagDir(REPO, tag))).isEqualTo(repo + "_manifests/tags/22.04");
    assertThat(path(layout.tagCurrentLink(REPO, tag))).isEqualTo(repo + "_manifests/tags/22.04/current/link");
    assertThat(path(layout.tagIndexLink(REPO, tag, DIGEST))).isEqualTo(repo + "_manifests/tags/22.04/index/sha256/" + HEX + "/link");
    assertThat(path(layout.uploadDir(REPO, "7f3c-aa_01"))).isEqualTo(repo + "_uploads/7f3c-aa_01");
    assertThat(path(layout.uploadData(REPO, "7f3c-aa_01"))).isEqualTo(repo + "_uploads/7f3c-aa_01/data");
  }

  @Test
  void sha512LinksUseTheirAlgorithmFolder() {
    Layout layout = new Layout(data);

    assertThat(path(layout.layerLink(REPO, SHA512)))
        .isEqualTo("docker/registry/v2/repositories/library/ubuntu/_layers/sha512/" + SHA512.hex() + "/link");
  }

  @Test
  void relativeAndResolveRoundTrip() {
    Layout layout = new Layout(data);
    Path link = layout.tagCurrentLink(REPO, new Tag("latest"));

    String relative = layout.relative(link);

    assertThat(relative).isEqualTo("repositories/library/ubuntu/_manifests/tags/latest/current/link");
    assertThat(layout.resolve(relative)).isEqualTo(link);
  }

  @Test
  void relativeDataRootIsMadeAbsolute() {
    Layout layout = new Layout(Path.of("some/../data"));

    assertThat(layout.dataRoot()).isAbsolute().isEqualTo(Path.of("data").toAbsolutePath());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "../../../../etc/passwd", "repositories/../../v2x", "/etc/passwd", "repositories/a/../b", "./blobs"})
  void resolveRefusesPathsThatLeaveOrWanderTheRoot(String relative) {
    Layout layout = new Layout(data);

    assertThatThrownBy(() -> layout.resolve(relative))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
  }

  @Test
  void relativeRefusesAPathOutsideTheRoot() {
    Layout layout = new Layout(data);

    assertThatThrownBy(() -> layout.relative(data.resolve("index/CURRENT"))).isInstanceOf(OciException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "../x", "a/b", "a\\b", "/abs", "a b", "a.b", "id%2F", "\u00e9t\u00e9", "a\u0000b"})
  void uploadDirRefusesOddUploadIds(String id) {
    Layout layout = new Layout(data);

    assertThatThrownBy(() -> layout.uploadDir(REPO, id))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.BLOB_UPLOAD_UNKNOWN));
  }

  @Test
  void uploadDirRefusesIdsLongerThan128Characters() {
    Layout layout = new Layout(data);

    assertThat(layout.uploadDir(REPO, "a".repeat(128))).isNotNull();
    assertThatThrownBy(() -> layout.uploadDir(REPO, "a".repeat(129))).isInstanceOf(OciException.class);
  }
}

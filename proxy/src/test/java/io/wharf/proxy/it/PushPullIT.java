package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 and 2 of issue 2: skopeo pushes synthetic images (single-platform and a multi-arch
 * index) into a local project and copies them back out with every digest identical; then CNCF
 * distribution's own registry, given wharf's data folder as its root directory, serves them too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class PushPullIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private SyntheticImages images;
  private ImageInfo alpine;
  private ImageInfo nginx;
  private Skopeo skopeo;
  private WharfProcess wharf;

  @BeforeAll
  void pushImages() {
    images = SyntheticImages.in(tmp.resolve("src"), 42);
    alpine = images.single("alpine-3.20", List.of(600_000L, 300_000L, 100_000L));
    nginx = images.multiArch("nginx-1.27", List.of(900_000L, 400_000L));
    skopeo = Skopeo.in(tmp.resolve("skopeo"));
    wharf = WharfProcess.start(tmp.resolve("data"));
    // pushes log in as the admin; pulls stay anonymous, as containerd's are
    skopeo.copy(images.ociRef("alpine-3.20"), ref(wharf.hostPort(), "spectro-images/library/alpine:3.20"), "--preserve-digests",
        "--dest-creds", wharf.adminCreds());
    skopeo.copy(images.ociRef("nginx-1.27"), ref(wharf.hostPort(), "spectro-images/library/nginx:1.27"), "--all", "--preserve-digests",
        "--dest-creds", wharf.adminCreds());
  }

  @AfterAll
  void stop() {
    if (wharf != null) {
      wharf.close();
    }
  }

  @Test
  @Order(1)
  void copiesSinglePlatformImageBackWithIdenticalDigests() throws IOException {
    assertRoundTrip(wharf.hostPort(), "spectro-images/library/alpine:3.20", alpine, "out-alpine");
  }

  @Test
  @Order(2)
  void copiesMultiArchIndexBackWithIdenticalDigests() throws IOException {
    assertRoundTrip(wharf.hostPort(), "spectro-images/library/nginx:1.27", nginx, "out-nginx");
  }

  @Test
  @Order(3)
  void inspectAndTagListingWork() {
    JsonNode inspected = skopeo.inspect(ref(wharf.hostPort(), "spectro-images/library/alpine:3.20"));
    assertThat(inspected.path("Digest").asText()).isEqualTo(alpine.digest());
    assertThat(inspected.path("Layers")).hasSize(3);
    byte[] raw = skopeo.inspectRaw(ref(wharf.hostPort(), "spectro-images/library/nginx:1.27"));
    assertThat(sha256(raw)).isEqualTo(nginx.digest());
    skopeo.copy(images.ociRef("alpine-3.20"), ref(wharf.hostPort(), "spectro-images/library/alpine:latest"), "--preserve-digests",
        "--dest-creds", wharf.adminCreds());
    assertThat(skopeo.listTags("docker://" + wharf.hostPort() + "/spectro-images/library/alpine"))
        .containsExactly("3.20", "latest");
  }

  @Test
  @Order(4)
  void refusesPushOutsideLocalProject() {
    Skopeo.Result result = skopeo.tryCopy(images.ociRef("alpine-3.20"), ref(wharf.hostPort(), "elsewhere/alpine:3.20"),
        "--dest-creds", wharf.adminCreds());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).containsIgnoringCase("denied");
    // and no push at all without logging in
    Skopeo.Result anonymous = skopeo.tryCopy(images.ociRef("alpine-3.20"), ref(wharf.hostPort(), "spectro-images/library/anon:1"));
    assertThat(anonymous.exitCode()).isNotZero();
    assertThat(anonymous.stderr()).containsIgnoringCase("unauthorized");
  }

  @Test
  @Order(5)
  void distributionServesTheDataFolderWithIdenticalDigests() throws IOException {
    wharf.stop();
    try (DockerRegistry registry = DockerRegistry.on(tmp.resolve("data")).readOnly().start()) {
      assertRoundTrip(registry.hostPort(), "spectro-images/library/alpine:3.20", alpine, "dist-alpine");
      assertRoundTrip(registry.hostPort(), "spectro-images/library/nginx:1.27", nginx, "dist-nginx");
      assertThat(skopeo.listTags("docker://" + registry.hostPort() + "/spectro-images/library/alpine"))
          .containsExactlyInAnyOrder("3.20", "latest");
    }
  }

  private void assertRoundTrip(String hostPort, String name, ImageInfo image, String outName) throws IOException {
    Path out = tmp.resolve(outName);
    List<String> flags = new ArrayList<>(List.of("--preserve-digests"));
    if (image.isIndex()) {
      flags.add("--all");
    }
    skopeo.copy(ref(hostPort, name), "oci:" + out + ":copy", flags.toArray(String[]::new));
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(image.digest());
    for (String digest : image.blobDigests()) {
      Path blob = out.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
      assertThat(blob).as("blob %s copied out", digest).exists();
      assertThat(sha256(Files.readAllBytes(blob))).isEqualTo(digest);
    }
    try (Stream<Path> files = Files.list(out.resolve("blobs/sha256"))) {
      assertThat(files.count()).isEqualTo(image.blobDigests().size());
    }
  }

  private static String ref(String hostPort, String name) {
    return "docker://" + hostPort + "/" + name;
  }

  private static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 (skopeo half), 2 (offline) and 6 (client abort) of issue 3, with Debian's
 * docker-registry as the real upstream: pulls through every route form, then with the upstream
 * stopped, with digests equal to the upstream's; distribution serves wharf's data folder after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class PullThroughIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String HOST = "upstream.test:5000";
  static final String HOST_KEY = "upstream.test_5000";

  @TempDir static Path tmp;
  private SyntheticImages images;
  private ImageInfo alpine;
  private ImageInfo nginx;
  private ImageInfo big;
  private ImageInfo lazy;
  private Skopeo skopeo;
  private DockerRegistry upstream;
  private WharfProcess wharf;
  private final Http http = Http.client(Duration.ofMinutes(5));

  /** The upstreams section of a wharf config proxying {@code url} as {@code upstream.test:5000}. */
  static String upstreamYaml(String url, String tagTtl) {
    return "upstreams:\n"
        + "  - {name: hub, host: '" + HOST + "', url: '" + url + "', tagTtl: " + tagTtl + "}\n"
        + "defaultUpstream: '" + HOST + "'\n"
        + "pullThrough:\n  tagCheckTimeout: 2s\n  connectTimeout: 2s\n  readTimeout: 10s\n";
  }

  @BeforeAll
  void start() {
    images = SyntheticImages.in(tmp.resolve("src"), 3);
    alpine = images.single("alpine", List.of(400_000L, 200_000L));
    nginx = images.multiArch("nginx", List.of(700_000L, 300_000L));
    big = images.single("big", List.of(24L * 1024 * 1024));
    lazy = images.single("lazy", List.of(300_000L, 200_000L));
    skopeo = Skopeo.in(tmp.resolve("skopeo"));
    upstream = DockerRegistry.start(tmp.resolve("upstream"));
    skopeo.copy(images.ociRef("alpine"), "docker://" + upstream.hostPort() + "/library/alpine:3.20", "--preserve-digests");
    skopeo.copy(images.ociRef("nginx"), "docker://" + upstream.hostPort() + "/library/nginx:1.27", "--all", "--preserve-digests");
    skopeo.copy(images.ociRef("big"), "docker://" + upstream.hostPort() + "/big/blob:1", "--preserve-digests");
    skopeo.copy(images.ociRef("lazy"), "docker://" + upstream.hostPort() + "/library/lazy:1", "--preserve-digests");
    // tagTtl 0s: every tag request checks upstream, so the offline pulls below are of tags older than their TTL
    wharf = WharfProcess.on(tmp.resolve("data")).upstreams(upstreamYaml(upstream.url().toString(), "0s")).start();
  }

  @AfterAll
  void stop() {
    if (wharf != null) {
      wharf.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Order(1)
  void pullsThroughProjectPrefixHostPrefixAndDefaultUpstream() throws IOException {
    assertPull("hub/library/alpine:3.20", alpine, "p1");
    assertPull(HOST_KEY + "/library/nginx:1.27", nginx, "p2");
    assertPull("library/alpine:3.20", alpine, "p3");
    assertPull("spectro-images/" + HOST_KEY + "/library/nginx:1.27", nginx, "p4");
  }

  @Test
  @Order(2)
  void clientThatAbortsHalfWayStillLeavesTheBlobCommitted() throws Exception {
    String layer = big.blobs(ImageInfo.Kind.LAYER).get(0).digest();
    Http.Streamed partial = http.getAndDisconnect(wharf.url() + "/v2/hub/big/blob/blobs/" + layer, 1024 * 1024);
    assertThat(partial.status()).isEqualTo(200);
    Path committed = tmp.resolve("data/docker/registry/v2/blobs/sha256").resolve(layer.substring(7, 9)).resolve(layer.substring(7)).resolve("data");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(committed) && System.nanoTime() < deadline) {
      Thread.sleep(100); // real asynchronous I/O in another process: poll its result
    }
    assertThat(committed).exists();
    // the manifest, so the image can be pulled whole offline later
    assertThat(http.get(wharf.url() + "/v2/hub/big/blob/manifests/1").status()).isEqualTo(200);
    String config = big.blobs(ImageInfo.Kind.CONFIG).get(0).digest();
    assertThat(http.getStreamed(wharf.url() + "/v2/hub/big/blob/blobs/" + config).bodyDigest()).isEqualTo(config);
  }

  @Test
  @Order(3)
  void completesAnImageInTheBackgroundWhenOnlyItsManifestWasPulled() throws Exception {
    assertThat(http.get(wharf.url() + "/v2/hub/library/lazy/manifests/1").status()).isEqualTo(200);
    for (ImageInfo.Blob blob : lazy.blobs()) {
      if (blob.kind() == ImageInfo.Kind.MANIFEST) {
        continue;
      }
      String hex = blob.digest().substring(7);
      Path committed = tmp.resolve("data/docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!Files.exists(committed) && System.nanoTime() < deadline) {
        Thread.sleep(100); // the daemon completes the image on its own threads
      }
      assertThat(committed).as("%s %s fetched without a client asking", blob.kind(), blob.digest()).exists();
    }
  }

  @Test
  @Order(4)
  void pullsEverythingAgainWithTheUpstreamStopped() throws IOException {
    upstream.stop();
    assertPull("hub/library/alpine:3.20", alpine, "o1");
    assertPull("library/alpine@" + alpine.digest(), alpine, "o2");
    assertPull(HOST_KEY + "/library/nginx:1.27", nginx, "o3");
    assertPull(HOST_KEY + "/library/nginx@" + nginx.digest(), nginx, "o4");
    assertPull("hub/big/blob:1", big, "o5");
    assertPull("hub/library/lazy:1", lazy, "o6");
    Http.Response unknown = http.get(wharf.url() + "/v2/hub/library/alpine/manifests/never-pulled");
    assertThat(unknown.status()).isIn(404, 503);
  }

  @Test
  @Order(5)
  void distributionServesThePulledThroughImagesFromTheDataFolder() throws IOException {
    wharf.stop();
    try (DockerRegistry registry = DockerRegistry.on(tmp.resolve("data")).readOnly().start()) {
      assertPullFrom(registry.hostPort(), HOST_KEY + "/library/alpine:3.20", alpine, "d1");
      assertPullFrom(registry.hostPort(), HOST_KEY + "/library/nginx:1.27", nginx, "d2");
    }
  }

  private void assertPull(String name, ImageInfo image, String out) throws IOException {
    assertPullFrom(wharf.hostPort(), name, image, out);
  }

  private void assertPullFrom(String hostPort, String name, ImageInfo image, String outName) throws IOException {
    Path out = tmp.resolve(outName);
    List<String> flags = new ArrayList<>(List.of("--preserve-digests"));
    if (image.isIndex()) {
      flags.add("--all");
    }
    skopeo.copy("docker://" + hostPort + "/" + name, "oci:" + out + ":copy", flags.toArray(String[]::new));
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText()).as(name).isEqualTo(image.digest());
    for (String digest : image.blobDigests()) {
      Path blob = out.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
      assertThat(blob).as("%s blob %s", name, digest).exists();
    }
  }
}

package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.cli.WharfCommand;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wharf prefetch} against Debian's docker-registry as the real upstream: once with no
 * daemon (the CLI pulls through a wharf of its own, in-process, on the data folder), once through
 * a running daemon's admin API; then, with the upstream stopped, every prefetched image pulls
 * whole through the daemon (both platforms of the multi-platform one), with the upstream's digests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class PrefetchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOST = "upstream.test:5000";
  private static final String HOST_KEY = "upstream.test_5000";

  @TempDir static Path tmp;
  private ImageInfo alpine;
  private ImageInfo nginx;
  private Skopeo skopeo;
  private DockerRegistry upstream;
  private Daemon daemon;
  private Path data;

  @BeforeAll
  void start() {
    SyntheticImages images = SyntheticImages.in(tmp.resolve("src"), 5);
    alpine = images.single("alpine", List.of(3_000_000L, 200_000L));
    nginx = images.multiArch("nginx", List.of(700_000L, 300_000L));
    skopeo = Skopeo.in(tmp.resolve("skopeo"));
    upstream = DockerRegistry.start(tmp.resolve("upstream"));
    skopeo.copy(images.ociRef("alpine"), "docker://" + upstream.hostPort() + "/library/alpine:3.20", "--preserve-digests");
    skopeo.copy(images.ociRef("nginx"), "docker://" + upstream.hostPort() + "/library/nginx:1.27", "--all", "--preserve-digests");
    data = tmp.resolve("data");
  }

  @AfterAll
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Order(1)
  void withNoDaemonTheCliPullsThroughAWharfOfItsOwn() throws IOException {
    // port 1: nothing answers there, so the CLI opens the data folder itself
    Cli cli = Cli.run(config(1), "prefetch", HOST + "/library/alpine:3.20");

    assertThat(cli.status).as(cli.err).isZero();
    assertThat(cli.out).startsWith(HOST + "/library/alpine:3.20\n");
    assertThat(cli.out).contains(HOST_KEY + "/library/alpine@sha256:");
    assertThat(cli.out).contains("prefetched 1 image: 1 manifest, 3 blobs (3 fetched, 0 already cached)");
    for (String digest : alpine.blobDigests()) {
      assertThat(blobFile(digest)).as("blob %s on disk", digest).exists();
    }
  }

  @Test
  @Order(2)
  void withTheDaemonRunningThePrefetchRunsInTheDaemon() throws IOException {
    daemon = Daemon.start(ConfigLoader.load(Optional.of(config(0)), Map.of()), Map.of());

    Cli cli = Cli.run(config(daemon.server().port()), "prefetch", HOST + "/library/nginx:1.27", HOST + "/library/alpine:3.20");

    assertThat(cli.status).as(cli.err).isZero();
    // nginx's index and both platforms' manifests, and alpine's; alpine's blobs were cached by the
    // first prefetch, and some of nginx's may be too: caching its index starts their background
    // completion, which the prefetch joins or finds done
    int nginxBlobs = nginx.blobs().size() - nginx.blobs(ImageInfo.Kind.MANIFEST).size() - nginx.blobs(ImageInfo.Kind.INDEX).size();
    assertThat(cli.out).containsPattern("prefetched 2 images: 4 manifests, " + (nginxBlobs + 3) + " blobs \\(\\d+ fetched, \\d+ already cached\\)");
    for (String digest : nginx.blobDigests()) {
      assertThat(blobFile(digest)).as("blob %s on disk", digest).exists();
    }
    assertThat(cli.out).startsWith(HOST + "/library/nginx:1.27\n");
  }

  @Test
  @Order(3)
  void everyPrefetchedImagePullsWholeWithTheUpstreamStopped() throws IOException {
    upstream.stop();

    assertPull(HOST_KEY + "/library/alpine:3.20", alpine, "o1");
    assertPull(HOST_KEY + "/library/nginx:1.27", nginx, "o2");
  }

  @Test
  @Order(4)
  void aPrefetchWithTheUpstreamStoppedFailsWithItsErrorAndStatus1() throws IOException {
    Cli cli = Cli.run(config(daemon.server().port()), "prefetch", HOST + "/library/never:1");

    assertThat(cli.status).isEqualTo(1);
    assertThat(cli.err).startsWith("wharf: ");
  }

  private void assertPull(String name, ImageInfo image, String outName) throws IOException {
    Path out = tmp.resolve(outName);
    List<String> flags = new ArrayList<>(List.of("--preserve-digests"));
    if (image.isIndex()) {
      flags.add("--all");
    }
    skopeo.copy("docker://127.0.0.1:" + daemon.server().port() + "/" + name, "oci:" + out + ":copy", flags.toArray(String[]::new));
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText()).as(name).isEqualTo(image.digest());
    for (String digest : image.blobDigests()) {
      assertThat(out.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()))).as("%s blob %s", name, digest).exists();
    }
  }

  private Path blobFile(String digest) {
    String hex = digest.substring("sha256:".length());
    return data.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
  }

  /** The config the daemon and the CLI share, with the listener on {@code port}. */
  private Path config(int port) throws IOException {
    String yaml = "server:\n  http:\n    listen: 127.0.0.1:" + port + "\n"
        + "  https:\n    listen: 127.0.0.1:0\n" // loopback, never the default 0.0.0.0:30003
        + "storage:\n  path: '" + data + "'\n"
        + "upstreams:\n  - {name: hub, host: '" + HOST + "', url: '" + upstream.url() + "', tagTtl: 0s}\n"
        + "defaultUpstream: '" + HOST + "'\n"
        + "pullThrough:\n  tagCheckTimeout: 2s\n  connectTimeout: 2s\n  readTimeout: 10s\n  retries: 0\n"
        + "  platforms: [" + SyntheticImages.AMD64 + ", " + SyntheticImages.ARM64 + "]\n";
    return Files.writeString(Files.createTempFile(tmp, "wharf", ".yaml"), yaml);
  }

  /** One CLI run in this JVM, as {@code java -jar wharf.jar VERB --config FILE ARGS}. */
  private record Cli(int status, String out, String err) {
    static Cli run(Path config, String verb, String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new WharfCommand());
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      List<String> argv = new ArrayList<>(List.of(verb, "--config", config.toString()));
      argv.addAll(List.of(args));
      int status = cli.execute(argv.toArray(String[]::new));
      return new Cli(status, out.toString(), err.toString());
    }
  }
}

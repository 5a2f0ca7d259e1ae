package io.wharf.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import io.wharf.storage.Pin;
import io.wharf.storage.Storage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wharf pin}, {@code unpin} and {@code prefetch} through a running daemon's admin API and,
 * with the daemon stopped, on the storage directly. The images are pushed to the daemon under a
 * docker.io name ({@code /v2/spectro-images/docker.io/...}, DESIGN.md row 5), so no upstream is
 * ever dialled (its url is a closed port).
 */
final class MaintenanceCliTest {
  static final String UPSTREAMS = """
      upstreams:
        - {name: hub, host: docker.io, url: 'http://127.0.0.1:1', tagTtl: 1h}
      defaultUpstream: docker.io
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final WharfServerExtension wharf = new WharfServerExtension().withYaml(UPSTREAMS);

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void pinAndUnpinGoThroughTheRunningDaemon() throws IOException {
    String digest = pushImage(wharf.port(), "docker.io/library/app", "1", "pin-daemon");
    Path config = cliConfig(wharf.port(), wharf.data());

    assertThat(run("pin", "--config", config.toString(), "app:1")).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("pinned docker.io/library/app:1 (" + digest + ")\n");
    Optional<Pin> pin = wharf.registry().storage().pins()
        .find(RepositoryName.parse("docker.io/library/app"), ManifestReference.parse("1"));
    assertThat(pin).get().extracting(p -> p.digest().toString(), Pin::source).containsExactly(digest, "cli");
    assertThat(wharf.data().resolve("docker/registry/v2/_wharf/pins/docker.io/library/app/_pins/1")).isRegularFile();
    JsonNode listed = getJson(wharf.port(), "/api/wharf/v1/pins");
    assertThat(listed.path("pins").findValuesAsText("repository")).contains("docker.io/library/app");

    out.getBuffer().setLength(0);
    assertThat(run("unpin", "--config", config.toString(), "docker.io/library/app:1")).isZero();
    assertThat(out.toString()).isEqualTo("unpinned docker.io/library/app:1\n");
    // the push pinned it too (source push); the CLI's pin replaced that one, and unpin removed it
    assertThat(wharf.registry().storage().pins().find(RepositoryName.parse("docker.io/library/app"), ManifestReference.parse("1")))
        .isEmpty();
    assertThat(wharf.data().resolve("docker/registry/v2/_wharf/pins/docker.io/library/app/_pins/1")).doesNotExist();

    out.getBuffer().setLength(0);
    assertThat(run("unpin", "--config", config.toString(), "app:1")).isZero();
    assertThat(out.toString()).isEqualTo("docker.io/library/app:1 was not pinned\n");
  }

  @Test
  void pinningAnImageThatIsNotCachedFailsAndSaysHowToFetchIt() throws IOException {
    Path config = cliConfig(wharf.port(), wharf.data());

    assertThat(run("pin", "--config", config.toString(), "nginx:1.27")).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("wharf: docker.io/library/nginx:1.27 is not cached")
        .contains("wharf prefetch docker.io/library/nginx:1.27");
  }

  @Test
  void anImageOfAnUnconfiguredHostIsRefusedByName() throws IOException {
    Path config = cliConfig(wharf.port(), wharf.data());

    assertThat(run("pin", "--config", config.toString(), "ghcr.io/org/app:1")).isEqualTo(1);
    assertThat(err.toString()).contains("names host 'ghcr.io', which is not a configured upstream (hosts: docker.io)");
  }

  @Test
  void prefetchThroughTheDaemonStreamsProgressAndEndsWithASummary() throws IOException {
    pushImage(wharf.port(), "docker.io/library/cached", "2", "prefetch-daemon");
    Path config = cliConfig(wharf.port(), wharf.data());

    assertThat(run("prefetch", "--config", config.toString(), "cached:2")).as(err.toString()).isZero();
    // not a terminal: plain lines, the image as it begins, then the summary
    assertThat(out.toString()).isEqualTo(
        "docker.io/library/cached:2\n"
            + "prefetched 1 image: 1 manifest, 2 blobs (0 fetched, 2 already cached), 0 B fetched in "
            + out.toString().replaceAll("(?s).* fetched in ", ""));
  }

  @Test
  void withTheDaemonStoppedTheCliOpensTheStorageItself() throws IOException {
    Path data = tmp.resolve("data");
    WharfConfig config = ConfigLoader.load(Optional.of(cliConfig(0, data)), Map.of());
    String digest;
    int port;
    try (Daemon daemon = Daemon.start(config, Map.of())) {
      port = daemon.server().port();
      digest = pushImage(port, "docker.io/library/offline", "3", "no-daemon");
      // running, but the CLI looks for it elsewhere: the lock tells it the storage is taken
      Path elsewhere = cliConfig(1, data);
      assertThat(run("pin", "--config", elsewhere.toString(), "offline:3")).isEqualTo(1);
      assertThat(err.toString()).contains("is in use by a running wharf");
    }
    Path stopped = cliConfig(port, data);

    out.getBuffer().setLength(0);
    assertThat(run("pin", "--config", stopped.toString(), "offline:3")).as(err.toString()).isZero();

    assertThat(out.toString()).isEqualTo("pinned docker.io/library/offline:3 (" + digest + ")\n");
    try (Storage storage = Storage.open(data)) {
      assertThat(storage.pins().list()).extracting(p -> p.repo().value(), p -> p.reference().toString())
          .containsExactly(org.assertj.core.groups.Tuple.tuple("docker.io/library/offline", "3"));
    }
    out.getBuffer().setLength(0);
    assertThat(run("unpin", "--config", stopped.toString(), "offline:3")).isZero();
    assertThat(out.toString()).isEqualTo("unpinned docker.io/library/offline:3\n");
    try (Storage storage = Storage.open(data)) {
      assertThat(storage.pins().list()).isEmpty();
      assertThat(storage.pins().readFiles()).isEmpty();
    }
  }

  private int run(String... args) {
    CommandLine cli = new CommandLine(new WharfCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** The config a CLI user gives: the daemon's listener, data folder and upstreams. */
  private Path cliConfig(int port, Path data) throws IOException {
    String yaml = UPSTREAMS
        + "server:\n  http:\n    listen: 127.0.0.1:" + port + "\n"
        + "  https:\n    listen: 127.0.0.1:0\n" // loopback, never the default 0.0.0.0:30003
        + "storage:\n  path: '" + data + "'\n"
        + "auth:\n  admin:\n    password: " + TestAccess.ADMIN_PASSWORD + "\n";
    return Files.writeString(Files.createTempFile(tmp, "cli", ".yaml"), yaml);
  }

  /** Pushes a one-layer image through the local project to {@code canonical}; its manifest digest. */
  static String pushImage(int port, String canonical, String tag, String seed) {
    String repo = "spectro-images/" + canonical;
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = ("layer of " + seed).getBytes(StandardCharsets.UTF_8);
    String c = pushBlob(port, repo, config);
    String l = pushBlob(port, repo, layer);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c
        + "\",\"size\":" + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + l
        + "\",\"size\":" + layer.length + "}]}";
    byte[] body = manifest.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r = send(port, HttpRequest.newBuilder(uri(port, "/v2/" + repo + "/manifests/" + tag))
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return sha256(body);
  }

  private static String pushBlob(int port, String repo, byte[] bytes) {
    String digest = sha256(bytes);
    HttpResponse<String> r = send(port, HttpRequest.newBuilder(uri(port, "/v2/" + repo + "/blobs/uploads/?digest=" + digest))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return digest;
  }

  static JsonNode getJson(int port, String path) throws IOException {
    HttpResponse<String> r = send(port, HttpRequest.newBuilder(uri(port, path)).GET());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static HttpResponse<String> send(int port, HttpRequest.Builder request) {
    try {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(request.header("Authorization", TestAccess.adminBasic()).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.wharf.proxy.it.fixture.BlobFile;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.LoopbackGuard;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the integration-test fixtures against the real tools (skopeo, docker-registry), without wharf. */
final class FixtureSelfIT {

  private static final String ACCEPT_MANIFESTS = String.join(", ",
      SyntheticImages.INDEX_MEDIA_TYPE, SyntheticImages.MANIFEST_MEDIA_TYPE,
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Http http = Http.client(Duration.ofMinutes(2));

  @Test
  void loopbackGuardAcceptsOnlyLoopbackHostsWithoutLookingUpOtherNames() {
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback(URI.create("http://example.com")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback(URI.create("http://10.0.0.1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback(URI.create("http://127.0.0.1.example.com:5000")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback(URI.create("http://[::2]:5000")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback(URI.create("http://256.0.0.1")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback("registry-1.docker.io:443"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoopbackGuard.requireLoopback("user@127.0.0.1:5000"))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(LoopbackGuard.requireLoopback(URI.create("http://127.0.0.1:5000")))
        .isEqualTo(URI.create("http://127.0.0.1:5000"));
    assertThat(LoopbackGuard.requireLoopback(URI.create("http://127.5.6.7/v2/"))).hasHost("127.5.6.7");
    assertThat(LoopbackGuard.requireLoopback(URI.create("http://[::1]:5000"))).hasPort(5000);
    assertThat(LoopbackGuard.requireLoopback(URI.create("http://localhost:1"))).hasPort(1);
    assertThat(LoopbackGuard.requireLoopback("127.0.0.1:5000")).isEqualTo("127.0.0.1:5000");
    assertThat(LoopbackGuard.requireLoopback("[::1]:5000")).isEqualTo("[::1]:5000");
    assertThat(LoopbackGuard.requireLoopback("localhost")).isEqualTo("localhost");
  }

  @Test
  void fixturesRefuseNonLoopbackTargetsBeforeAnyProcessOrRequest(@TempDir Path tmp) {
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    assertThatThrownBy(() -> skopeo.inspect("docker://example.com/library/alpine:3.20"))
        .isInstanceOf(IllegalArgumentException.class);
    // no registry host means docker.io
    assertThatThrownBy(() -> skopeo.listTags("docker://alpine"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> http.get("http://10.1.2.3:5000/v2/"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DockerRegistry.on(tmp.resolve("r")).proxyOf(URI.create("https://registry-1.docker.io")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void syntheticImagesAreDeterministicGzippedTarsMatchingTheirDiffIds(@TempDir Path tmp) throws Exception {
    List<Long> sizes = List.of(70_000L, 1_000L, 0L);
    ImageInfo a = SyntheticImages.in(tmp.resolve("a"), 7).multiArch("nginx-1.27", sizes);
    ImageInfo b = SyntheticImages.in(tmp.resolve("b"), 7).multiArch("nginx-1.27", sizes);
    ImageInfo c = SyntheticImages.in(tmp.resolve("c"), 8).multiArch("nginx-1.27", sizes);
    assertThat(b).isEqualTo(a);
    assertThat(c.digest()).isNotEqualTo(a.digest());
    // 1 index, 2 manifests, 2 configs, 2 x 3 layers, all distinct
    assertThat(a.blobs()).hasSize(11);
    assertThat(a.blobDigests()).doesNotHaveDuplicates();
    assertThat(a.blobs(ImageInfo.Kind.LAYER)).hasSize(6);
    assertThat(a.blobsOf(SyntheticImages.ARM64)).hasSize(5);

    var images = SyntheticImages.in(tmp.resolve("a"), 7);
    for (ImageInfo.Blob blob : a.blobs()) {
      BlobFile file = BlobFile.of(images.blobPath(blob.digest()));
      assertThat(file.digest()).isEqualTo(blob.digest());
      assertThat(file.size()).isEqualTo(blob.size());
    }
    JsonNode layoutIndex = MAPPER.readTree(tmp.resolve("a/index.json").toFile());
    assertThat(layoutIndex.path("manifests")).hasSize(1);
    assertThat(layoutIndex.at("/manifests/0/digest").asText()).isEqualTo(a.digest());
    assertThat(layoutIndex.at("/manifests/0/annotations").path(SyntheticImages.REF_NAME_ANNOTATION).asText())
        .isEqualTo("nginx-1.27");

    for (String platform : List.of(SyntheticImages.AMD64, SyntheticImages.ARM64)) {
      ImageInfo.Blob configBlob = a.blobsOf(platform).stream()
          .filter(x -> x.kind() == ImageInfo.Kind.CONFIG).findFirst().orElseThrow();
      JsonNode config = MAPPER.readTree(images.blobPath(configBlob.digest()).toFile());
      assertThat(config.path("architecture").asText()).isEqualTo(platform.split("/")[1]);
      List<ImageInfo.Blob> layers = a.blobsOf(platform).stream()
          .filter(x -> x.kind() == ImageInfo.Kind.LAYER).toList();
      for (int i = 0; i < layers.size(); i++) {
        Path layer = images.blobPath(layers.get(i).digest());
        assertThat(gunzipDigest(layer)).isEqualTo(config.at("/rootfs/diff_ids/" + i).asText());
        String payloadSize = " " + sizes.get(i) + " ";
        assertThat(tarListing(layer)).anySatisfy(line -> assertThat(line)
            .startsWith("-rwxr-xr-x root/root").contains(payloadSize).endsWith("/bin/payload"));
      }
    }

    ImageInfo single = images.single("alpine-3.20", List.of(10L));
    assertThat(MAPPER.readTree(tmp.resolve("a/index.json").toFile()).path("manifests")).hasSize(2);
    assertThat(single.mediaType()).isEqualTo(SyntheticImages.MANIFEST_MEDIA_TYPE);
    assertThat(single.blobs()).extracting(ImageInfo.Blob::kind)
        .containsExactly(ImageInfo.Kind.MANIFEST, ImageInfo.Kind.LAYER, ImageInfo.Kind.CONFIG);
  }

  @Test
  void largeLayersAreStreamedThroughASmallHeap(@TempDir Path tmp) throws Exception {
    long size = 200L << 20;
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx16m", "-cp", classPathOf(BigLayer.class, ObjectMapper.class, JsonFactory.class, JsonAutoDetect.class),
        BigLayer.class.getName(),
        tmp.resolve("layout").toString(), Long.toString(size));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    String layerDigest = out.strip();
    BlobFile layer = BlobFile.of(SyntheticImages.in(tmp.resolve("layout"), 1).blobPath(layerDigest));
    assertThat(layer.digest()).isEqualTo(layerDigest);
    assertThat(layer.size()).isGreaterThan(size);
  }

  /** Writes one big single-layer image under -Xmx16m and prints its layer digest. */
  static final class BigLayer {
    public static void main(String[] args) {
      ImageInfo image = SyntheticImages.in(Path.of(args[0]), 1).single("big-blob", List.of(Long.parseLong(args[1])));
      System.out.println(image.blobs(ImageInfo.Kind.LAYER).get(0).digest());
    }
  }

  @Test
  void skopeoRoundTripsSingleAndMultiArchImagesThroughDockerRegistryWithIdenticalDigests(@TempDir Path tmp)
      throws Exception {
    var images = SyntheticImages.in(tmp.resolve("layout"), 42);
    ImageInfo alpine = images.single("alpine-3.20", List.of(600_000L, 300_000L, 100_000L));
    ImageInfo nginx = images.multiArch("nginx-1.27", List.of(500_000L, 350_000L, 150_000L));
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));

    try (var registry = DockerRegistry.on(tmp.resolve("registry")).workDir(tmp.resolve("registry-run")).start()) {
      for (ImageInfo image : List.of(alpine, nginx)) {
        String repo = "library/" + image.refName().split("-")[0];
        String ref = "docker://" + registry.hostPort() + "/" + repo + ":stable";
        skopeo.copy(images.ociRef(image.refName()), ref, "--all", "--preserve-digests");

        String base = registry.url() + "/v2/" + repo;
        assertThat(http.head(base + "/manifests/stable", "Accept", ACCEPT_MANIFESTS).dockerContentDigest())
            .isEqualTo(image.digest());
        for (ImageInfo.Blob blob : image.blobs()) {
          boolean manifest = blob.kind() == ImageInfo.Kind.INDEX || blob.kind() == ImageInfo.Kind.MANIFEST;
          Http.Streamed got = http.getStreamed(base + (manifest ? "/manifests/" : "/blobs/") + blob.digest(),
              "Accept", ACCEPT_MANIFESTS);
          assertThat(got.status()).as(blob.toString()).isEqualTo(200);
          assertThat(got.bodyDigest()).isEqualTo(blob.digest());
          assertThat(got.bodySize()).isEqualTo(blob.size());
        }

        byte[] raw = skopeo.inspectRaw(ref);
        assertThat(sha256(raw)).isEqualTo(image.digest());
        JsonNode inspected = skopeo.inspect(ref);
        assertThat(inspected.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(inspected.path("Layers")).hasSize(3);
        assertThat(skopeo.listTags("docker://" + registry.hostPort() + "/" + repo)).containsExactly("stable");

        Path back = tmp.resolve("back-" + image.refName());
        skopeo.copy(ref, "oci:" + back + ":" + image.refName(), "--all", "--preserve-digests");
        JsonNode backIndex = MAPPER.readTree(back.resolve("index.json").toFile());
        assertThat(backIndex.at("/manifests/0/digest").asText()).isEqualTo(image.digest());
        for (ImageInfo.Blob blob : image.blobs()) {
          assertThat(BlobFile.of(back.resolve("blobs/sha256").resolve(blob.digest().substring(7))))
              .isEqualTo(new BlobFile(back.resolve("blobs/sha256").resolve(blob.digest().substring(7)),
                  blob.digest(), blob.size()));
        }
      }
      assertThat(registry.log()).contains("\"PUT /v2/library/alpine/manifests/stable HTTP/1.1\" 201");
    }
    assertThat(tmp.resolve("registry/docker/registry/v2/repositories/library/nginx")).isDirectory();
  }

  @Test
  void httpStreamsUploadsAndDownloadsAndAReadOnlyRegistryStillServesButRefusesPushes(@TempDir Path tmp) {
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), (8L << 20) + 123, 7);
    assertThat(BlobFile.of(blob.path())).isEqualTo(blob);
    Path root = tmp.resolve("registry");
    String blobPath = "/v2/test/blob/blobs/" + blob.digest();

    try (var registry = DockerRegistry.start(root)) {
      Http.Response started = http.post(registry.url() + "/v2/test/blob/blobs/uploads/", new byte[0]);
      assertThat(started.status()).isEqualTo(202);
      String location = Http.resolve(registry.url() + "/v2/", started.header("Location").orElseThrow());
      String put = location + (location.contains("?") ? "&" : "?") + "digest=" + blob.digest();
      Http.Response done = http.putFile(put, blob.path(), "Content-Type", "application/octet-stream");
      assertThat(done.status()).as(done.bodyText()).isEqualTo(201);
      assertThat(done.dockerContentDigest()).isEqualTo(blob.digest());

      Http.Streamed got = http.getStreamed(registry.url() + blobPath);
      assertThat(got.bodyDigest()).isEqualTo(blob.digest());
      assertThat(got.bodySize()).isEqualTo(blob.size());
      assertThat(http.getAndDisconnect(registry.url() + blobPath, 1000).bodySize()).isEqualTo(1000);
      assertThat(http.get(registry.url() + blobPath, "Range", "bytes=10-19").status()).isEqualTo(206);
    }

    try (var readOnly = DockerRegistry.on(root).readOnly().start()) {
      assertThat(http.getStreamed(readOnly.url() + blobPath).bodyDigest()).isEqualTo(blob.digest());
      Http.Response refused = http.post(readOnly.url() + "/v2/test/blob/blobs/uploads/", new byte[0]);
      // distribution 2.8 does not route the verb at all in read-only mode: a plain-text 405, no error body
      assertThat(refused.status()).isEqualTo(405);
    }
  }

  @Test
  void wharfProcessRunsAJarWithItsConfigAndStopsOrKillsOnlyThatChild(@TempDir Path tmp) throws Exception {
    Path jar = StubWharf.writeJar(tmp.resolve("stub-wharf.jar"));
    Path data = tmp.resolve("data");
    var launcher = WharfProcess.on(data).jar(jar).jvmArgs("-Xmx32m", "-Dstub.mark=from-jvm-args")
        .env("STUB_ENV", "from-env").workDir(tmp.resolve("run"));

    try (var wharf = launcher.start()) {
      assertThat(wharf.url()).isEqualTo(URI.create("http://" + wharf.hostPort()));
      assertThat(http.get(wharf.url() + "/v2/").status()).isEqualTo(200);
      assertThat(Files.readString(wharf.configFile()))
          .contains("listen: '" + wharf.hostPort() + "'", "path: '" + data.toAbsolutePath() + "'",
              "- {name: spectro-images, type: local}");
      assertThat(wharf.log()).contains("mark=from-jvm-args", "env=from-env", "pid=" + wharf.pid());
      assertThat(wharf.stop()).isEqualTo(143);
      assertThat(wharf.log()).contains("stub stopping");
    }

    try (var wharf = launcher.start()) {
      long pid = wharf.pid();
      wharf.kill9();
      assertThat(wharf.awaitExit(Duration.ofSeconds(10))).isEqualTo(137);
      assertThat(wharf.isAlive()).isFalse();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    assertThatThrownBy(() -> WharfProcess.on(data).jar(jar).jvmArgs("-Dstub.fail=true").start())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("stub refusing to start");
    assertThatThrownBy(() -> WharfProcess.on(data).jar(tmp.resolve("missing.jar")).start())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing.jar");
  }

  /**
   * A stand-in for wharf.jar using only the JDK: reads the listen address from the config, answers
   * {@code GET /v2/} with 200, and prints what the fixture passed in.
   */
  static final class StubWharf {
    private static final Pattern LISTEN = Pattern.compile("listen: '127\\.0\\.0\\.1:(\\d+)'");

    public static void main(String[] args) throws IOException {
      if (Boolean.getBoolean("stub.fail")) {
        System.out.println("stub refusing to start");
        System.exit(3);
      }
      String config = Files.readString(Path.of(args[2]));
      Matcher m = LISTEN.matcher(config);
      if (!args[0].equals("serve") || !args[1].equals("--config") || !m.find()) {
        System.out.println("bad args or config: " + String.join(" ", args) + "\n" + config);
        System.exit(2);
      }
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))), 0);
      server.createContext("/v2/", exchange -> {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      });
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stub stopping")));
      System.out.println("stub listening mark=" + System.getProperty("stub.mark") + " env="
          + System.getenv("STUB_ENV") + " pid=" + ProcessHandle.current().pid());
    }

    static Path writeJar(Path jar) throws IOException {
      var manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, StubWharf.class.getName());
      String entry = StubWharf.class.getName().replace('.', '/') + ".class";
      try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest);
          InputStream in = StubWharf.class.getClassLoader().getResourceAsStream(entry)) {
        if (in == null) {
          throw new IOException("class file not found: " + entry);
        }
        out.putNextEntry(new JarEntry(entry));
        in.transferTo(out);
        out.closeEntry();
      }
      return jar;
    }
  }

  private static String gunzipDigest(Path gz) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }

  /** {@code tar -tvzf}: the system tar must read the fixture's archives. */
  private static List<String> tarListing(Path layer) throws Exception {
    Process p = new ProcessBuilder("tar", "-tvzf", layer.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return new ArrayList<>(out.lines().toList());
  }

  /** The class path holding these classes: java.class.path is a launcher's, under failsafe and the console. */
  private static String classPathOf(Class<?>... classes) throws Exception {
    var entries = new ArrayList<String>();
    for (Class<?> c : classes) {
      entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}

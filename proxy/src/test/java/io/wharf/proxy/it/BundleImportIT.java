package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdOutputStream;
import io.wharf.proxy.it.fixture.Ports;
import io.wharf.proxy.it.fixture.Containerd;
import io.wharf.proxy.it.fixture.DockerSaveArchive;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfCli;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 and 2 of issue 5: air-gapped bundles. An OCI archive written by skopeo (zstd-compressed
 * here) and a classic {@code docker save} archive (gzip-compressed, no file-name hint) are imported
 * with the daemon stopped; then, with every upstream a dead port, skopeo and containerd pull each image
 * through the mirror path ({@code ?ns=}) and the host-prefix path, the OCI one with its original
 * digests. A second import adds nothing, an import killed half-way completes when run again, an import
 * through the running daemon works too, and {@code wharf export} writes a bundle that skopeo reads and
 * that a fresh data folder imports and serves with the same digests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class BundleImportIT {
  private static final String NGINX = "docker.io/library/nginx:1.27";
  private static final String ALPINE = "docker.io/library/alpine:3.20";
  private static final String BUSYBOX = "docker.io/library/busybox:1.36";
  private static final String TOOL = "ghcr.io/acme/tool:2";
  private static final String BIG = "docker.io/library/big:1";
  private static final Pattern NEW_BLOBS = Pattern.compile("(\\d+) new");

  @TempDir static Path tmp;
  private ImageInfo nginx;
  private ImageInfo alpine;
  private DockerSaveArchive saved;
  private Path ociBundle;
  private Path savedBundle;
  private Path bigBundle;
  private URI dead;
  private int port;
  private Path data;
  private Path workDir;
  private Path config;
  private WharfCli cli;
  private WharfProcess wharf;
  private Containerd containerd;
  private Skopeo skopeo;
  private final Http http = Http.client(Duration.ofMinutes(2));

  @BeforeAll
  void bundles() throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 23);
    nginx = images.multiArch("nginx", List.of(300_000L, 200_000L));
    alpine = images.single("alpine", List.of(250_000L));
    skopeo = Skopeo.in(tmp.resolve("skopeo"));
    Path ociTar = tmp.resolve("oci.tar");
    skopeo.copy(images.ociRef("nginx"), "oci-archive:" + ociTar + ":" + NGINX, "--all", "--preserve-digests");
    ociBundle = zstd(ociTar, tmp.resolve("images.tar.zst"));
    Files.delete(ociTar);
    // a second OCI archive carries alpine: imported through the running daemon later
    saved = new DockerSaveArchive().image("busybox:1.36", 5, 300_000, 120_000).image(TOOL, 6, 90_000);
    savedBundle = gzip(saved.writeTo(tmp.resolve("save.tar")), tmp.resolve("site-images.bundle"));
    bigBundle = new DockerSaveArchive().image("big:1", 9, 24 << 20, 24 << 20, 24 << 20).writeTo(tmp.resolve("big.tar"));

    dead = Containerd.deadServer();
    port = Ports.free();
    data = tmp.resolve("data");
    workDir = tmp.resolve("wharf");
    cli = WharfCli.in(tmp.resolve("cli"));
    // start once to have the fixture write the config the CLI shares with the daemon, then stop
    wharf = launcher(data, workDir, port).start();
    config = wharf.configFile();
    wharf.close();
    wharf = null;
    containerd = Containerd.start(tmp.resolve("containerd"));
  }

  private WharfProcess.Launcher launcher(Path dataDir, Path dir, int listenPort) {
    // every upstream is a dead loopback port: whatever pulls must come from the bundles
    return WharfProcess.on(dataDir).workDir(dir).port(listenPort)
        .upstreams("upstreams:\n"
            + "  - {name: dockerhub, host: docker.io, url: '" + dead + "', tagTtl: 0s}\n"
            + "  - {name: ghcr, host: ghcr.io, url: '" + dead + "', tagTtl: 0s}\n"
            + "defaultUpstream: docker.io\n"
            + "pullThrough:\n  tagCheckTimeout: 1s\n  connectTimeout: 1s\n  retries: 0\n");
  }

  @AfterAll
  void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (wharf != null) {
      wharf.close();
    }
  }

  @Test
  @Order(1)
  void importsBothBundlesWithTheDaemonStoppedAndSaysTheDockerSaveManifestsAreNew() {
    String out = cli.run("import", "--config", config.toString(), ociBundle.toString(), savedBundle.toString()).output();

    assertThat(out).contains(NGINX, BUSYBOX, TOOL);
    // a classic docker save holds no registry manifest: wharf wrote one, and says the digest is its own
    assertThat(out).containsPattern("(?i)" + Pattern.quote(BUSYBOX) + ".*digest is new");
    assertThat(newBlobs(out)).isPositive();
    assertThat(repositories()).contains("docker.io/library/nginx", "docker.io/library/busybox", "ghcr.io/acme/tool");
  }

  @Test
  @Order(2)
  void aSecondImportAddsNothing() throws IOException {
    Set<String> before = blobFiles(data);

    String out = cli.run("import", "--config", config.toString(), ociBundle.toString(), savedBundle.toString()).output();

    assertThat(newBlobs(out)).as(out).isZero();
    assertThat(blobFiles(data)).isEqualTo(before);
  }

  @Test
  @Order(3)
  void anImportKilledHalfWayCompletesWhenRunAgainWithTheSameDigestsAsAnUninterruptedOne() throws Exception {
    WharfCli.Started first = cli.start("import", "--config", config.toString(), bigBundle.toString());
    Path uploads = data.resolve("docker/registry/v2");
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    // kill it once some of its bytes are on disk but before it is done
    while (first.process().isAlive() && committedOrTempBytes(uploads) < 20L << 20 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(first.process().isAlive()).as("the import was still running when killed:\n%s", first.output()).isTrue();
    first.kill9();

    String again = cli.run("import", "--config", config.toString(), bigBundle.toString()).output();

    // the same bundle into an empty data folder, uninterrupted, names the same manifest digest
    Path cleanData = tmp.resolve("clean-data");
    var clean = launcher(cleanData, tmp.resolve("clean-wharf"), Ports.free()).start();
    Path cleanConfig = clean.configFile();
    clean.close();
    String reference = cli.run("import", "--config", cleanConfig.toString(), bigBundle.toString()).output();
    assertThat(digestOf(again, BIG)).isEqualTo(digestOf(reference, BIG));
    assertThat(blobFiles(data)).containsAll(blobFiles(cleanData));
  }

  @Test
  @Order(4)
  void withTheUpstreamsDeadSkopeoPullsEveryImageThroughTheHostPrefixAndProjectPaths() throws IOException {
    wharf = launcher(data, workDir, port).start();
    String base = "docker://" + wharf.hostPort() + "/";
    Files.createDirectories(tmp.resolve("pulled"));

    assertThat(manifestDigest(base + "docker.io/library/nginx:1.27")).isEqualTo(nginx.digest());
    assertThat(manifestDigest(base + "spectro-images/docker.io/library/nginx:1.27")).isEqualTo(nginx.digest());
    for (String ref : List.of("docker.io/library/busybox:1.36", "ghcr.io/acme/tool:2", "docker.io/library/big:1")) {
      Path dir = tmp.resolve("pulled").resolve(ref.replaceAll("[^a-z0-9]", "_"));
      skopeo.copy(base + ref, "dir:" + dir, "--src-tls-verify=false");
      assertThat(dir.resolve("manifest.json")).isRegularFile();
      skopeo.copy(base + "spectro-images/" + ref, "dir:" + dir + "-project", "--src-tls-verify=false");
    }
    // the layers of a docker save went in uncompressed: their digests are the config's diff ids
    Path busybox = tmp.resolve("pulled").resolve("docker_io_library_busybox_1_36");
    for (String diffId : saved.images().get(0).diffIds()) {
      assertThat(busybox.resolve(diffId.substring("sha256:".length()))).isRegularFile();
    }
  }

  @Test
  @Order(5)
  void withTheUpstreamsDeadContainerdPullsEveryImageThroughTheMirror() {
    Path hosts = tmp.resolve("hosts");
    for (String host : List.of("docker.io", "ghcr.io")) {
      Containerd.writeHostsToml(hosts, host, dead, wharf.url());
    }

    containerd.pull(NGINX, hosts);
    assertThat(containerd.imageDigest(NGINX)).hasValue(nginx.digest());
    assertThat(containerd.check(NGINX).complete()).isTrue();
    for (String ref : List.of(BUSYBOX, TOOL)) {
      containerd.pull(ref, hosts);
      assertThat(containerd.check(ref).complete()).as(ref).isTrue();
      assertThat(containerd.check(ref).unpacked()).as(ref).isTrue();
    }
    String log = wharf.log();
    assertThat(log).contains("ns=docker.io").contains("ns=ghcr.io");
  }

  @Test
  @Order(6)
  void anImportThroughTheRunningDaemonIsServedAtOnce() throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 23);
    Path alpineTar = tmp.resolve("alpine.tar");
    skopeo.copy(images.ociRef("alpine"), "oci-archive:" + alpineTar + ":" + ALPINE, "--preserve-digests");

    String out = cli.run("import", "--config", config.toString(), alpineTar.toString()).output();

    assertThat(out).contains(ALPINE);
    assertThat(manifestDigest("docker://" + wharf.hostPort() + "/docker.io/library/alpine:3.20")).isEqualTo(alpine.digest());
  }

  @Test
  @Order(7)
  void exportWritesABundleSkopeoReadsAndAFreshDataFolderServesWithTheSameDigests() throws Exception {
    Path export = tmp.resolve("export.tar.zst");

    cli.run("export", "--config", config.toString(), "--output", export.toString(), NGINX, BUSYBOX);

    String busyboxDigest = manifestDigest("docker://" + wharf.hostPort() + "/docker.io/library/busybox:1.36");
    assertThat(sha256(skopeo.inspectRaw("oci-archive:" + export + ":" + NGINX))).isEqualTo(nginx.digest());
    assertThat(sha256(skopeo.inspectRaw("oci-archive:" + export + ":" + BUSYBOX))).isEqualTo(busyboxDigest);
    skopeo.copy("oci-archive:" + export + ":" + NGINX, "dir:" + tmp.resolve("from-export"), "--all");

    Path freshData = tmp.resolve("fresh-data");
    int freshPort = Ports.free();
    var fresh = launcher(freshData, tmp.resolve("fresh-wharf"), freshPort).start();
    Path freshConfig = fresh.configFile();
    fresh.close();
    cli.run("import", "--config", freshConfig.toString(), export.toString());
    try (var served = launcher(freshData, tmp.resolve("fresh-wharf"), freshPort).start()) {
      assertThat(manifestDigest("docker://" + served.hostPort() + "/docker.io/library/nginx:1.27")).isEqualTo(nginx.digest());
      assertThat(manifestDigest("docker://" + served.hostPort() + "/docker.io/library/busybox:1.36")).isEqualTo(busyboxDigest);
    }
  }

  private String manifestDigest(String ref) {
    return sha256(skopeo.run(List.of("inspect", "--raw", "--tls-verify=false", ref)).stdout());
  }

  private static int newBlobs(String output) {
    Matcher m = NEW_BLOBS.matcher(output);
    int last = -1;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    assertThat(last).as("a summary with 'N new' blobs in:\n%s", output).isNotNegative();
    return last;
  }

  /** The manifest digest the import output gives for a reference: {@code <ref> ... sha256:<hex>} on one line. */
  private static String digestOf(String output, String ref) {
    Matcher m = Pattern.compile(Pattern.quote(ref) + "\\S*\\s.*?(sha256:[0-9a-f]{64})").matcher(output);
    assertThat(m.find()).as("a digest for %s in:\n%s", ref, output).isTrue();
    return m.group(1);
  }

  private Set<String> repositories() {
    Path root = data.resolve("docker/registry/v2/repositories");
    try (Stream<Path> walk = Files.walk(root)) {
      Set<String> out = new TreeSet<>();
      walk.filter(p -> p.getFileName().toString().equals("_manifests"))
          .forEach(p -> out.add(root.relativize(p.getParent()).toString()));
      return out;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> blobFiles(Path dataDir) throws IOException {
    Path blobs = dataDir.resolve("docker/registry/v2/blobs");
    try (Stream<Path> walk = Files.walk(blobs)) {
      Set<String> out = new TreeSet<>();
      walk.filter(p -> p.getFileName().toString().equals("data")).forEach(p -> out.add(blobs.relativize(p).toString()));
      return out;
    }
  }

  private static long committedOrTempBytes(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    } catch (java.io.UncheckedIOException e) {
      return 0; // a temp file vanished while walking: look again
    }
  }

  private static Path zstd(Path in, Path out) throws IOException {
    try (InputStream src = Files.newInputStream(in); OutputStream dst = new ZstdOutputStream(Files.newOutputStream(out))) {
      src.transferTo(dst);
    }
    return out;
  }

  private static Path gzip(Path in, Path out) throws IOException {
    try (InputStream src = Files.newInputStream(in); OutputStream dst = new GZIPOutputStream(Files.newOutputStream(out))) {
      src.transferTo(dst);
    }
    Files.delete(in);
    return out;
  }

  private static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

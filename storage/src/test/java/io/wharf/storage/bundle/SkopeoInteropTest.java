package io.wharf.storage.bundle;

import static io.wharf.storage.bundle.TestBundles.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wharf.oci.Digest;
import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.Storage;
import io.wharf.storage.bundle.TestBundles.Image;
import io.wharf.storage.bundle.TestBundles.Layout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with skopeo, the tool sites make bundles with and CI pulls with: skopeo reads wharf's
 * export (a zstd-compressed oci-archive), and wharf imports skopeo's oci-archive once the test has
 * compressed it with zstd. Skipped only when skopeo is not installed.
 */
final class SkopeoInteropTest {
  private static final String NGINX = "docker.io/library/nginx:1.27";

  @TempDir(factory = ShmTempDirs.class) Path dir;
  private final Random random = new Random(5);

  @BeforeAll
  static void skopeoInstalled() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")) || onPath("skopeo"), "skopeo is not installed");
  }

  private static boolean onPath(String tool) {
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, tool))) {
        return true;
      }
    }
    return false;
  }

  private String skopeo(String... args) throws IOException, InterruptedException {
    Run run = run(args);
    assertThat(run.exit()).as("skopeo %s:%n%s", String.join(" ", args), run.output()).isZero();
    return run.output();
  }

  private record Run(int exit, String output) {}

  private Run run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy", "--override-os", "linux", "--override-arch", "amd64"));
    cmd.addAll(List.of(args));
    Path log = dir.resolve("skopeo-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("skopeo finished").isTrue();
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  @Test
  void skopeoReadsOurExportAndWeImportSkopeosArchiveWithItsDigests() throws Exception {
    Image amd = TestBundles.image(random, 2, 40_000, "amd64");
    Image arm = TestBundles.image(random, 1, 10_000, "arm64");
    Image nginx = TestBundles.index(List.of(amd, arm));
    Path exported = dir.resolve("export.tar.zst");
    try (Storage storage = Storage.open(dir.resolve("data"))) {
      new BundleImporter(storage, io.wharf.storage.Progress.NONE).importBundle(
          Files.write(dir.resolve("in.tar"), tar(new Layout().add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX)).entries())),
          ImportOptions.defaults());
      new BundleExporter(storage, io.wharf.storage.Progress.NONE).export(List.of(Reference.parse(NGINX)), exported);
    }

    // skopeo reads the zstd tar and picks the amd64 image of the index
    Path copied = dir.resolve("copied");
    skopeo("copy", "oci-archive:" + exported + ":" + NGINX, "dir:" + copied);
    assertThat(Files.readAllBytes(copied.resolve("manifest.json"))).isEqualTo(amd.manifest());
    for (TestBundles.Blob b : amd.blobs()) {
      assertThat(Files.readAllBytes(copied.resolve(b.digest().hex()))).isEqualTo(b.bytes());
    }

    // skopeo writes an oci-archive of it, the test compresses it with zstd, wharf imports it
    Path archive = dir.resolve("skopeo.tar");
    skopeo("copy", "dir:" + copied, "oci-archive:" + archive + ":" + NGINX);
    Path compressed = Files.write(dir.resolve("skopeo.tar.zst"), TestBundles.zstd(Files.readAllBytes(archive)));
    try (Storage fresh = Storage.open(dir.resolve("fresh"))) {
      ImportSummary summary = new BundleImporter(fresh, io.wharf.storage.Progress.NONE).importBundle(compressed, ImportOptions.defaults());
      assertThat(summary.images()).containsExactly(new ImportedImage(NGINX, amd.digest(), false));
      RepositoryName repo = RepositoryName.parse("docker.io/library/nginx");
      assertThat(fresh.tags().find(repo, new Tag("1.27")).orElseThrow().digest()).isEqualTo(amd.digest().toString());
      for (TestBundles.Blob b : amd.blobs()) {
        assertThat(Files.readAllBytes(fresh.blobs().findIn(repo, b.digest()).orElseThrow().path())).isEqualTo(b.bytes());
      }
    }
  }

  @Test
  void skopeoCopiesEveryPlatformOfOurExportWhenAllArePresent() throws Exception {
    Image nginx = TestBundles.index(List.of(TestBundles.image(random, 1, 5000, "amd64"), TestBundles.image(random, 1, 5000, "arm64")));
    Path exported = dir.resolve("export.tar.zst");
    try (Storage storage = Storage.open(dir.resolve("data"))) {
      new BundleImporter(storage, io.wharf.storage.Progress.NONE).importBundle(
          Files.write(dir.resolve("in.tar"), tar(new Layout().add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX)).entries())),
          ImportOptions.defaults());
      new BundleExporter(storage, io.wharf.storage.Progress.NONE).export(List.of(Reference.parse(NGINX)), exported);
    }
    Path layout = dir.resolve("layout");
    skopeo("copy", "--all", "oci-archive:" + exported + ":" + NGINX, "oci:" + layout + ":" + NGINX);
    Digest copiedIndex = Digest.parse(new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(layout.resolve("index.json").toFile()).path("manifests").get(0).path("digest").asText());
    assertThat(copiedIndex).isEqualTo(nginx.digest());
  }

  /** What BundleExporter's comment promises for an index exported without a platform the cache never pulled. */
  @Test
  void anExportMissingAPlatformServesTheHostPlatformAndFailsOnlyACopyOfAll() throws Exception {
    Image amd = TestBundles.image(random, 1, 5000, "amd64");
    Image arm = TestBundles.image(random, 1, 5000, "arm64");
    Image nginx = TestBundles.index(List.of(amd, arm));
    Layout layout = new Layout().add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX));
    arm.contents().keySet().forEach(layout::without);
    Path exported = dir.resolve("export.tar.zst");
    try (Storage storage = Storage.open(dir.resolve("data"))) {
      new BundleImporter(storage, io.wharf.storage.Progress.NONE).importBundle(
          Files.write(dir.resolve("in.tar"), tar(layout.entries())), ImportOptions.defaults());
      new BundleExporter(storage, io.wharf.storage.Progress.NONE).export(List.of(Reference.parse(NGINX)), exported);
    }
    skopeo("copy", "oci-archive:" + exported + ":" + NGINX, "dir:" + dir.resolve("amd64"));
    assertThat(Files.readAllBytes(dir.resolve("amd64/manifest.json"))).isEqualTo(amd.manifest());
    Run all = run("copy", "--all", "oci-archive:" + exported + ":" + NGINX, "oci:" + dir.resolve("all") + ":x");
    assertThat(all.exit()).isNotZero();
    assertThat(all.output()).contains(arm.digest().hex());
  }
}

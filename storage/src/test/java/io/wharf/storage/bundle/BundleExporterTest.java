package io.wharf.storage.bundle;

import static io.wharf.storage.bundle.TestBundles.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.ManifestEntry;
import io.wharf.storage.Storage;
import io.wharf.storage.bundle.TestBundles.Image;
import io.wharf.storage.bundle.TestBundles.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BundleExporterTest {
  private static final String NGINX = "docker.io/library/nginx:1.27";
  private static final String APP = "127.0.0.1:5000/team/app:v2";

  @TempDir(factory = ShmTempDirs.class) Path dir;
  private Storage storage;
  private final RecordingProgress progress = new RecordingProgress();
  private final Random random = new Random(11);

  @BeforeEach
  void open() {
    storage = Storage.open(dir.resolve("data"));
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private static RepositoryName repo(String name) {
    return RepositoryName.parse(name);
  }

  private ImportSummary importInto(Storage into, Path bundle) {
    return new BundleImporter(into, progress).importBundle(bundle, ImportOptions.defaults());
  }

  /** Entry names and bytes of a zstd tar, in order. */
  static Map<String, byte[]> readZstdTar(Path file) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (InputStream in = new TarArchiveInputStream(new ZstdInputStream(Files.newInputStream(file)))) {
      TarArchiveInputStream tar = (TarArchiveInputStream) in;
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.put(e.getName(), tar.readAllBytes());
      }
    }
    return out;
  }

  @Test
  void anExportImportedIntoAFreshDataFolderServesTheSameDigests() throws IOException {
    Image nginx = TestBundles.index(List.of(TestBundles.image(random, 2, 30_000, "amd64"), TestBundles.image(random, 1, 9000, "arm64")));
    Image app = TestBundles.image(random, 3, 50_000, null);
    Path source = Files.write(dir.resolve("in.tar"), tar(new Layout()
        .add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX)).add(app, Map.of(NameRules.OCI_REF_NAME, APP)).entries()));
    importInto(storage, source);
    TestBundles.SavedImage saved = TestBundles.savedImage(random, 2, 10_000, List.of("busybox:1.36"));
    Path save = Files.write(dir.resolve("save.tar"), tar(TestBundles.dockerSave(List.of(saved))));
    Digest busybox = importInto(storage, save).images().get(0).digest();

    Path out = dir.resolve("out/bundle.tar.zst");
    ExportSummary summary = new BundleExporter(storage, progress).export(List.of(
        Reference.parse(NGINX), Reference.parse(APP), Reference.parse("busybox:1.36"),
        Reference.parse("docker.io/library/nginx@" + nginx.digest())), out);

    assertThat(summary.images()).extracting(ExportedImage::reference, ExportedImage::digest).containsExactly(
        org.assertj.core.groups.Tuple.tuple(NGINX, nginx.digest()), org.assertj.core.groups.Tuple.tuple(APP, app.digest()),
        org.assertj.core.groups.Tuple.tuple("docker.io/library/busybox:1.36", busybox),
        org.assertj.core.groups.Tuple.tuple("docker.io/library/nginx@" + nginx.digest(), nginx.digest()));
    assertThat(summary.blobs()).isEqualTo(nginx.contents().size() + app.contents().size() + 1 + 2 + 1);
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(out)) {
      assertThat(in.read(head)).isEqualTo(4);
    }
    assertThat(head).containsExactly(0x28, 0xB5, 0x2F, 0xFD);
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files).containsExactly(out);
    }

    Map<String, byte[]> entries = readZstdTar(out);
    assertThat(new ArrayList<>(entries.keySet()).subList(0, 2)).containsExactly("oci-layout", "index.json");
    JsonNode index = JsonMapper.builder().build().readTree(entries.get("index.json"));
    assertThat(index.path("manifests").get(1).path("annotations").path(NameRules.OCI_REF_NAME).asText()).isEqualTo(APP);
    assertThat(index.path("manifests").get(1).path("annotations").path(NameRules.CONTAINERD_NAME).asText()).isEqualTo(APP);
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (e.getKey().startsWith("blobs/")) {
        assertThat(Digest.sha256Of(e.getValue()).hex()).isEqualTo(e.getKey().substring("blobs/sha256/".length()));
      }
    }

    try (Storage fresh = Storage.open(dir.resolve("fresh"))) {
      ImportSummary imported = importInto(fresh, out);
      assertThat(imported.images()).containsExactly(
          new ImportedImage(NGINX, nginx.digest(), false), new ImportedImage(APP, app.digest(), false),
          new ImportedImage("docker.io/library/busybox:1.36", busybox, false),
          new ImportedImage("docker.io/library/nginx@" + nginx.digest(), nginx.digest(), false));
      for (RepositoryName r : List.of(repo("docker.io/library/nginx"), repo("127.0.0.1_5000/team/app"), repo("docker.io/library/busybox"))) {
        for (String tag : storage.tags().list(r, null, 100)) {
          assertThat(fresh.tags().find(r, new Tag(tag)).orElseThrow().digest()).isEqualTo(storage.tags().find(r, new Tag(tag)).orElseThrow().digest());
          Digest d = Digest.parse(storage.tags().find(r, new Tag(tag)).orElseThrow().digest());
          assertThat(fresh.manifests().find(r, d)).get().extracting(ManifestEntry::body)
              .isEqualTo(storage.manifests().find(r, d).orElseThrow().body());
        }
      }
      for (Digest d : app.contents().keySet()) {
        assertThat(Files.readAllBytes(fresh.blobs().find(d).orElseThrow().path())).isEqualTo(app.contents().get(d));
      }
    }

    // exporting the same images again gives the same bytes
    Path again = dir.resolve("again.tar.zst");
    new BundleExporter(storage, progress).export(List.of(
        Reference.parse(NGINX), Reference.parse(APP), Reference.parse("busybox:1.36"),
        Reference.parse("docker.io/library/nginx@" + nginx.digest())), again);
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(out));
  }

  @Test
  void aPlatformTheCacheNeverPulledIsLeftOutAndTheIndexKeepsItsDigest() throws IOException {
    Image amd = TestBundles.image(random, 1, 1000, "amd64");
    Image arm = TestBundles.image(random, 1, 1000, "arm64");
    Image nginx = TestBundles.index(List.of(amd, arm));
    Layout layout = new Layout().add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX));
    arm.contents().keySet().forEach(layout::without);
    importInto(storage, Files.write(dir.resolve("in.tar"), tar(layout.entries())));

    ExportSummary summary = new BundleExporter(storage, progress).export(List.of(Reference.parse(NGINX)), dir.resolve("b.tar.zst"));

    assertThat(summary.images()).containsExactly(new ExportedImage(NGINX, nginx.digest(), List.of("linux/arm64")));
    assertThat(readZstdTar(dir.resolve("b.tar.zst")).keySet())
        .contains("blobs/sha256/" + amd.digest().hex())
        .doesNotContain("blobs/sha256/" + arm.digest().hex());
    assertThat(progress.notes).anyMatch(n -> n.contains("linux/arm64"));
    try (Storage fresh = Storage.open(dir.resolve("fresh"))) {
      assertThat(importInto(fresh, dir.resolve("b.tar.zst")).images()).containsExactly(new ImportedImage(NGINX, nginx.digest(), false));
      assertThat(fresh.manifests().contains(repo("docker.io/library/nginx"), amd.digest())).isTrue();
    }
  }

  @Test
  void aDamagedStoredBlobFailsTheExportAndLeavesNoFile() throws IOException {
    Image app = TestBundles.image(random, 2, 20_000, null);
    importInto(storage, Files.write(dir.resolve("in.tar"), tar(new Layout().add(app, Map.of(NameRules.OCI_REF_NAME, APP)).entries())));
    Path layer = storage.blobs().find(app.blobs().get(2).digest()).orElseThrow().path();
    byte[] bytes = Files.readAllBytes(layer);
    bytes[5] ^= 1;
    Files.write(layer, bytes);
    Path out = Files.createDirectories(dir.resolve("out")).resolve("b.tar.zst");

    assertThatThrownBy(() -> new BundleExporter(storage, progress).export(List.of(Reference.parse(APP)), out))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.DIGEST_INVALID);
          assertThat(e.getMessage()).contains(app.blobs().get(2).digest().toString());
        });
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void anImageNotInStorageIsAClearError() {
    assertThatThrownBy(() -> new BundleExporter(storage, progress).export(List.of(Reference.parse("ghcr.io/x/y:1")), dir.resolve("b")))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.MANIFEST_UNKNOWN);
          assertThat(e.getMessage()).contains("ghcr.io/x/y:1");
        });
    assertThat(dir.resolve("b")).doesNotExist();
  }
}

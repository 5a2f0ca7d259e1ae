package io.wharf.storage.bundle;

import static io.wharf.storage.bundle.TestBundles.tar;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.storage.ManifestEntry;
import io.wharf.storage.Storage;
import io.wharf.storage.bundle.TestBundles.Image;
import io.wharf.storage.bundle.TestBundles.SavedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class DockerSaveImportTest {
  @TempDir(factory = ShmTempDirs.class) Path dir;
  private Storage storage;
  private final RecordingProgress progress = new RecordingProgress();
  private final Random random = new Random(7);

  @BeforeEach
  void open() {
    storage = Storage.open(dir.resolve("data"));
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private ImportSummary importBundle(Path bundle) {
    return new BundleImporter(storage, progress).importBundle(bundle, ImportOptions.defaults());
  }

  private static RepositoryName repo(String name) {
    return RepositoryName.parse(name);
  }

  @Test
  void aClassicDockerSaveWithTwoImagesGetsOciManifestsWithNewDigests() throws IOException {
    SavedImage nginx = TestBundles.savedImage(random, 2, 40_000, List.of("nginx:1.27", "nginx:latest"));
    SavedImage app = TestBundles.savedImage(random, 3, 20_000, List.of("127.0.0.1:5000/team/app:v1"));
    Path bundle = Files.write(dir.resolve("save.tar"), tar(TestBundles.dockerSave(List.of(nginx, app))));

    ImportSummary summary = importBundle(bundle);

    assertThat(summary.images()).extracting(ImportedImage::reference)
        .containsExactly("docker.io/library/nginx:1.27", "docker.io/library/nginx:latest", "127.0.0.1:5000/team/app:v1");
    assertThat(summary.images()).allMatch(ImportedImage::digestChanged);
    assertThat(summary.blobsNew()).isEqualTo(1 + 2 + 1 + 3);
    assertImage(repo("docker.io/library/nginx"), "1.27", nginx, summary.images().get(0).digest());
    assertImage(repo("docker.io/library/nginx"), "latest", nginx, summary.images().get(0).digest());
    assertImage(repo("127.0.0.1_5000/team/app"), "v1", app, summary.images().get(2).digest());
    assertThat(storage.projectRepos().list("spectro-images"))
        .containsExactly(repo("127.0.0.1_5000/team/app"), repo("docker.io/library/nginx"));
    assertThat(progress.notes).anyMatch(n -> n.contains("docker.io/library/nginx:1.27") && n.contains("digest is new"));

    // a second import writes the same manifest (same digest) and adds nothing
    ImportSummary again = importBundle(bundle);
    assertThat(again.images()).isEqualTo(summary.images());
    assertThat(again.blobsNew()).isZero();
    assertThat(again.blobsExisting()).isEqualTo(summary.blobsNew());
    // the layers (read before manifest.json, so hashed to learn their digests) were dropped, not kept as uploads
    try (var uploads = Files.list(storage.layout().repository(BlobIntake.STAGING).resolve("_uploads"))) {
      assertThat(uploads).isEmpty();
    }
  }

  @Test
  void anInterruptedDockerSaveImportResumes() throws IOException {
    SavedImage nginx = TestBundles.savedImage(random, 4, 100_000, List.of("nginx:1.27"));
    byte[] whole = TestBundles.zstd(tar(TestBundles.dockerSave(List.of(nginx))));
    Path cut = Files.write(dir.resolve("cut.tar.zst"), java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> importBundle(cut)).isInstanceOf(io.wharf.oci.OciException.class);
    long committed = nginx.layers().stream().filter(l -> storage.blobs().find(Digest.sha256Of(l)).isPresent()).count();
    assertThat(committed).isPositive();

    ImportSummary summary = importBundle(Files.write(dir.resolve("whole.tar.zst"), whole));

    assertThat(summary.blobsExisting()).isEqualTo(committed);
    assertThat(summary.blobsNew()).isEqualTo(nginx.layers().size() + 1 - committed);
    assertImage(repo("docker.io/library/nginx"), "1.27", nginx, summary.images().get(0).digest());
  }

  /** The written manifest is an OCI image manifest over the config and the uncompressed layers, in order. */
  private void assertImage(RepositoryName repo, String tag, SavedImage saved, Digest digest) throws IOException {
    assertThat(storage.tags().find(repo, new Tag(tag))).get().extracting(t -> t.digest()).isEqualTo(digest.toString());
    assertThat(storage.pins().find(repo, ManifestReference.of(new Tag(tag)))).isPresent();
    ManifestEntry entry = storage.manifests().find(repo, digest).orElseThrow();
    Manifest m = new ManifestParser().parse(entry.body(), null);
    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.config()).isEqualTo(Descriptor.of(DockerSaveManifest.CONFIG_TYPE, saved.configDigest(), saved.config().length));
    assertThat(m.layers()).hasSize(saved.layers().size());
    for (int i = 0; i < saved.layers().size(); i++) {
      byte[] layer = saved.layers().get(i);
      assertThat(m.layers().get(i)).isEqualTo(Descriptor.of(DockerSaveManifest.LAYER_TYPE, Digest.sha256Of(layer), layer.length));
      assertThat(Files.readAllBytes(storage.blobs().findIn(repo, Digest.sha256Of(layer)).orElseThrow().path())).isEqualTo(layer);
    }
  }

  @Test
  void layersAfterManifestJsonAndConfigAreSkippedUnreadWhenStored() throws IOException {
    SavedImage nginx = TestBundles.savedImage(random, 2, 40_000, List.of("nginx:1.27"));
    Map<String, byte[]> save = TestBundles.dockerSave(List.of(nginx));
    // manifest.json and the config first: the layers' digests are then known before they are read
    Map<String, byte[]> reordered = new LinkedHashMap<>();
    reordered.put("manifest.json", save.get("manifest.json"));
    reordered.put(nginx.configDigest().hex() + ".json", nginx.config());
    reordered.putAll(save);
    Path bundle = Files.write(dir.resolve("save.tar"), tar(reordered));
    ImportSummary first = importBundle(bundle);

    // the same archive with its layers' bytes damaged: a layer that was read would fail verification,
    // so a clean import proves the stored layers were skipped unread (as blobs/sha256/<hex> ones are)
    for (String path : reordered.keySet()) {
      if (path.endsWith("/layer.tar")) {
        byte[] damaged = reordered.get(path).clone();
        damaged[10] ^= 1;
        reordered.put(path, damaged);
      }
    }
    Path damaged = Files.write(dir.resolve("damaged.tar"), tar(reordered));
    ImportSummary again = importBundle(damaged);
    assertThat(again.images()).isEqualTo(first.images());
    assertThat(again.blobsNew()).isZero();
    assertThat(again.blobsExisting()).isEqualTo(3);
  }

  @Test
  void aClassicLayerThatIsNotItsDiffIdFailsVerification() throws IOException {
    SavedImage nginx = TestBundles.savedImage(random, 1, 4000, List.of("nginx:1.27"));
    Map<String, byte[]> save = TestBundles.dockerSave(List.of(nginx));
    Map<String, byte[]> reordered = new LinkedHashMap<>();
    reordered.put("manifest.json", save.get("manifest.json"));
    reordered.put(nginx.configDigest().hex() + ".json", nginx.config());
    reordered.putAll(save);
    for (String path : reordered.keySet()) {
      if (path.endsWith("/layer.tar")) {
        reordered.put(path, TestBundles.random(random, 4000));
      }
    }
    Path bundle = Files.write(dir.resolve("save.tar"), tar(reordered));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> importBundle(bundle))
        .isInstanceOfSatisfying(io.wharf.oci.OciException.class,
            e -> assertThat(e.error()).isEqualTo(io.wharf.oci.OciError.DIGEST_INVALID));
  }

  @Test
  void aNewerDockerSaveIsAnOciLayoutWithManifestJsonBesideIt() throws IOException {
    Image amd = TestBundles.image(random, 2, 3000, "amd64");
    Image index = TestBundles.index(List.of(amd));
    // docker 25+: index.json names the image, manifest.json lists it with blob paths, and the old
    // <id>/layer.tar paths are symlinks into blobs/
    TestBundles.Layout layout = new TestBundles.Layout().add(index, Map.of(NameRules.OCI_REF_NAME, "1.27"));
    Map<String, byte[]> entries = new LinkedHashMap<>(layout.entries());
    entries.put("manifest.json", TestBundles.utf8("[{\"Config\":\"blobs/sha256/" + amd.blobs().get(0).digest().hex()
        + "\",\"RepoTags\":[\"nginx:1.27\"],\"Layers\":[\"blobs/sha256/" + amd.blobs().get(1).digest().hex()
        + "\",\"blobs/sha256/" + amd.blobs().get(2).digest().hex() + "\"]}]"));
    Path bundle = Files.write(dir.resolve("save.tar"),
        tar(entries, Map.of("abc/layer.tar", "../blobs/sha256/" + amd.blobs().get(1).digest().hex())));

    ImportSummary summary = importBundle(bundle);

    assertThat(summary.images()).containsExactly(new ImportedImage("docker.io/library/nginx:1.27", index.digest(), false));
    assertThat(storage.manifests().find(repo("docker.io/library/nginx"), index.digest())).get()
        .extracting(ManifestEntry::body).isEqualTo(index.manifest());
  }

  @Test
  void aClassicSaveWithSymlinkedLayersFollowsTheLinks() throws IOException {
    SavedImage app = TestBundles.savedImage(random, 1, 1000, List.of("ghcr.io/org/app:2"));
    Map<String, byte[]> save = TestBundles.dockerSave(List.of(app));
    String layerPath = save.keySet().stream().filter(p -> p.endsWith("/layer.tar")).findFirst().orElseThrow();
    // the same layer again under a second id, as a link (docker does this for shared layers)
    String manifest = new String(save.get("manifest.json"), java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"Layers\":[\"" + layerPath + "\"]", "\"Layers\":[\"" + layerPath + "\",\"other/layer.tar\"]");
    save.put("manifest.json", TestBundles.utf8(manifest));
    Path bundle = Files.write(dir.resolve("save.tar"), tar(save, Map.of("other/layer.tar", "../" + layerPath)));

    ImportSummary summary = importBundle(bundle);

    Manifest m = new ManifestParser().parse(
        storage.manifests().find(repo("ghcr.io/org/app"), summary.images().get(0).digest()).orElseThrow().body(), null);
    assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(
        Digest.sha256Of(app.layers().get(0)), Digest.sha256Of(app.layers().get(0)));
  }
}

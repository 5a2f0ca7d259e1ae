package io.wharf.storage.bundle;

import static io.wharf.storage.bundle.TestBundles.gzip;
import static io.wharf.storage.bundle.TestBundles.tar;
import static io.wharf.storage.bundle.TestBundles.zstd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.storage.ManifestEntry;
import io.wharf.storage.Pin;
import io.wharf.storage.Storage;
import io.wharf.storage.bundle.TestBundles.Image;
import io.wharf.storage.bundle.TestBundles.Layout;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class BundleImporterTest {
  private static final String NGINX = "docker.io/library/nginx:1.27";

  @TempDir(factory = ShmTempDirs.class) Path dir;
  private Storage storage;
  private final RecordingProgress progress = new RecordingProgress();
  private final Random random = new Random(42);

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

  /** An OCI layout of a two-platform nginx index and a single-platform image from a registry with a port. */
  private Layout twoImages(Image nginx, Image app) {
    return new Layout()
        .add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX, NameRules.OCI_REF_NAME, "1.27"))
        .add(app, Map.of(NameRules.OCI_REF_NAME, "127.0.0.1:5000/team/app:v2"));
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** The same bundle as a folder, a tar, a tar.zst and a tar.gz. */
  private Path bundle(String format, Map<String, byte[]> entries) throws IOException {
    return switch (format) {
      case "folder" -> TestBundles.writeFolder(entries, dir.resolve("layout"));
      case "tar" -> write("bundle.bin", tar(entries));
      case "zst" -> write("bundle.data", zstd(tar(entries)));
      case "gz" -> write("bundle", gzip(tar(entries)));
      default -> throw new IllegalArgumentException(format);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"folder", "tar", "zst", "gz"})
  void importsAnOciLayoutInEveryFormDetectedByContent(String format) throws IOException {
    Image nginx = TestBundles.index(List.of(TestBundles.image(random, 2, 3000, "amd64"), TestBundles.image(random, 1, 5000, "arm64")));
    Image app = TestBundles.image(random, 3, 70_000, null);
    Path bundle = bundle(format, twoImages(nginx, app).entries());

    ImportSummary summary = importBundle(bundle);

    assertThat(summary.images()).containsExactly(
        new ImportedImage(NGINX, nginx.digest(), false), new ImportedImage("127.0.0.1:5000/team/app:v2", app.digest(), false));
    int blobs = nginx.contents().size() + app.contents().size();
    assertThat(summary.blobsNew()).isEqualTo(blobs);
    assertThat(summary.blobsExisting()).isZero();
    assertThat(summary.bytes()).isEqualTo(
        Stream.concat(nginx.contents().values().stream(), app.contents().values().stream()).mapToLong(b -> b.length).sum());
    assertStored(repo("docker.io/library/nginx"), "1.27", nginx);
    assertStored(repo("127.0.0.1_5000/team/app"), "v2", app);
    assertThat(storage.projectRepos().list("spectro-images"))
        .containsExactly(repo("127.0.0.1_5000/team/app"), repo("docker.io/library/nginx"));
    // staging is empty once every image links its blobs
    for (Digest d : nginx.contents().keySet()) {
      assertThat(storage.blobs().findIn(BlobIntake.STAGING, d)).isEmpty();
    }
    assertThat(progress.total).isPositive();
    assertThat(progress.advanced).isEqualTo(progress.total);
  }

  /** Tag, pin, manifest bytes and every blob (children's too) are in the repository, byte-exact. */
  private void assertStored(RepositoryName repo, String tag, Image image) throws IOException {
    assertThat(storage.tags().find(repo, new Tag(tag))).get().extracting(t -> t.digest()).isEqualTo(image.digest().toString());
    assertThat(storage.pins().find(repo, ManifestReference.of(new Tag(tag)))).get()
        .extracting(Pin::digest, Pin::source).containsExactly(image.digest(), "import");
    ManifestEntry entry = storage.manifests().find(repo, image.digest()).orElseThrow();
    assertThat(entry.body()).isEqualTo(image.manifest());
    for (Image child : image.children()) {
      assertThat(storage.manifests().find(repo, child.digest())).get().extracting(ManifestEntry::body).isEqualTo(child.manifest());
    }
    for (Map.Entry<Digest, byte[]> blob : image.contents().entrySet()) {
      if (!image.manifest().equals(blob.getValue())) {
        var info = storage.blobs().findIn(repo, blob.getKey());
        if (image.children().stream().noneMatch(c -> c.digest().equals(blob.getKey()))) {
          assertThat(info).as("blob %s linked in %s", blob.getKey(), repo).isPresent();
          assertThat(Files.readAllBytes(info.get().path())).isEqualTo(blob.getValue());
        }
      }
    }
  }

  @Test
  void aSecondImportAddsNothing() throws IOException {
    Image nginx = TestBundles.index(List.of(TestBundles.image(random, 2, 3000, "amd64")));
    Image app = TestBundles.image(random, 2, 4000, null);
    Path bundle = bundle("zst", twoImages(nginx, app).entries());
    ImportSummary first = importBundle(bundle);
    long tagTime = storage.tags().find(repo("docker.io/library/nginx"), new Tag("1.27")).orElseThrow().updatedAt();
    long pinTime = storage.pins().find(repo("docker.io/library/nginx"), ManifestReference.of(new Tag("1.27"))).orElseThrow().pinnedAt();

    ImportSummary second = importBundle(bundle);

    assertThat(second.images()).isEqualTo(first.images());
    assertThat(second.blobsNew()).isZero();
    assertThat(second.bytes()).isZero();
    assertThat(second.blobsExisting()).isEqualTo(first.blobsNew());
    assertThat(storage.tags().find(repo("docker.io/library/nginx"), new Tag("1.27")).orElseThrow().updatedAt()).isEqualTo(tagTime);
    assertThat(storage.pins().find(repo("docker.io/library/nginx"), ManifestReference.of(new Tag("1.27"))).orElseThrow().pinnedAt())
        .isEqualTo(pinTime);
  }

  /** A raw stream that fails after {@code limit} bytes, as a pulled USB stick or a killed copy does. */
  private static InputStream failingAfter(InputStream in, long limit) {
    return new FilterInputStream(in) {
      long read;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (read >= limit) {
          throw new IOException("device went away");
        }
        int n = super.read(b, off, (int) Math.min(len, limit - read));
        read += Math.max(n, 0);
        return n;
      }
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"tar", "zst"})
  void anInterruptedImportResumesWithoutCopyingCommittedBlobsAgain(String format) throws IOException {
    Image app = TestBundles.image(random, 6, 200_000, null);
    Path bundle = bundle(format, new Layout().add(app, Map.of(NameRules.CONTAINERD_NAME, "ghcr.io/org/app:1")).entries());
    long half = Files.size(bundle) / 2;

    assertThatThrownBy(() -> new BundleImporter(storage, progress, in -> failingAfter(in, half))
        .importBundle(bundle, ImportOptions.defaults()))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.BLOB_UPLOAD_INVALID);
          assertThat(e.getMessage()).contains(bundle.toString()).contains("device went away");
        });
    long committed = app.contents().keySet().stream().filter(d -> storage.blobs().find(d).isPresent()).count();
    assertThat(committed).as("the first half committed some blobs").isBetween(1L, (long) app.contents().size() - 1);
    assertThat(storage.tags().find(repo("ghcr.io/org/app"), new Tag("1"))).isEmpty();
    assertThat(uploadFolders()).as("no upload session left behind").isEmpty();

    ImportSummary rerun = importBundle(bundle);

    assertThat(rerun.blobsExisting()).isEqualTo(committed);
    assertThat(rerun.blobsNew()).isEqualTo(app.contents().size() - committed);
    assertThat(rerun.images()).containsExactly(new ImportedImage("ghcr.io/org/app:1", app.digest(), false));
    assertStored(repo("ghcr.io/org/app"), "1", app);
    for (Digest d : app.contents().keySet()) {
      assertThat(storage.blobs().findIn(BlobIntake.STAGING, d)).as("unstaged %s", d).isEmpty();
    }
  }

  private List<Path> uploadFolders() throws IOException {
    Path uploads = storage.layout().repository(BlobIntake.STAGING).resolve("_uploads");
    if (!Files.isDirectory(uploads)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(uploads)) {
      return s.toList();
    }
  }

  @Test
  void aTruncatedBundleIsAClearErrorAndTheFullOneThenCompletes() throws IOException {
    Image app = TestBundles.image(random, 4, 100_000, null);
    byte[] whole = tar(new Layout().add(app, Map.of(NameRules.CONTAINERD_NAME, "quay.io/org/app:1")).entries());
    Path cut = write("cut.tar", java.util.Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> importBundle(cut)).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.BLOB_UPLOAD_INVALID);
      assertThat(e.getMessage()).contains(cut.toString());
    });
    ImportSummary summary = importBundle(write("whole.tar", whole));
    assertThat(summary.blobsExisting()).isPositive();
    assertStored(repo("quay.io/org/app"), "1", app);
  }

  @Test
  void aCorruptBlobIsAClearErrorAndNothingIsCommittedForIt() throws IOException {
    Image app = TestBundles.image(random, 2, 50_000, null);
    Layout layout = new Layout().add(app, Map.of(NameRules.CONTAINERD_NAME, "ghcr.io/org/app:1"));
    Digest layer = app.blobs().get(1).digest();
    byte[] corrupt = app.blobs().get(1).bytes().clone();
    corrupt[1000] ^= 1;
    layout.files.put("blobs/sha256/" + layer.hex(), corrupt);
    Path bundle = bundle("zst", layout.entries());

    assertThatThrownBy(() -> importBundle(bundle)).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.DIGEST_INVALID);
      assertThat(e.getMessage()).contains("blobs/sha256/" + layer.hex()).contains(bundle.toString()).contains("corrupt");
    });
    assertThat(storage.blobs().find(layer)).isEmpty();
    assertThat(storage.blobs().find(Digest.sha256Of(corrupt))).isEmpty();
    assertThat(storage.manifests().contains(repo("ghcr.io/org/app"), app.digest())).isFalse();
    assertThat(uploadFolders()).isEmpty();
  }

  @Test
  void anIndexMissingAPlatformIsStoredWithThePresentOnesAndSaysSo() throws IOException {
    Image amd = TestBundles.image(random, 1, 1000, "amd64");
    Image arm = TestBundles.image(random, 1, 1000, "arm64");
    Image nginx = TestBundles.index(List.of(amd, arm));
    Layout layout = new Layout().add(nginx, Map.of(NameRules.CONTAINERD_NAME, NGINX));
    arm.contents().keySet().forEach(layout::without);

    ImportSummary summary = importBundle(bundle("tar", layout.entries()));

    assertThat(summary.images()).containsExactly(new ImportedImage(NGINX, nginx.digest(), false));
    assertThat(storage.manifests().contains(repo("docker.io/library/nginx"), amd.digest())).isTrue();
    assertThat(storage.manifests().contains(repo("docker.io/library/nginx"), arm.digest())).isFalse();
    assertThat(progress.notes).anyMatch(n -> n.contains("linux/arm64") && n.contains("not in the bundle"));
  }

  @Test
  void anImageMissingALayerFailsNamingIt() throws IOException {
    Image app = TestBundles.image(random, 2, 1000, null);
    Digest layer = app.blobs().get(2).digest();
    Layout layout = new Layout().add(app, Map.of(NameRules.CONTAINERD_NAME, "ghcr.io/org/app:1")).without(layer);

    assertThatThrownBy(() -> importBundle(bundle("tar", layout.entries())))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.BLOB_UNKNOWN);
          assertThat(e.getMessage()).contains(layer.toString());
        });
    assertThat(storage.tags().find(repo("ghcr.io/org/app"), new Tag("1"))).isEmpty();
  }

  @Test
  void anUnnamedImageNeedsNameAndNameFitsOneImageOnly() throws IOException {
    Image a = TestBundles.image(random, 1, 1000, null);
    Image b = TestBundles.image(random, 1, 1000, null);
    Path one = bundle("tar", new Layout().add(a, Map.of(NameRules.OCI_REF_NAME, "v1")).entries());

    assertThatThrownBy(() -> importBundle(one)).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.NAME_UNKNOWN);
      assertThat(e.getMessage()).contains(a.digest().toString()).contains("--name");
    });
    ImportSummary named = new BundleImporter(storage, progress).importBundle(one, new ImportOptions("edge", "busybox:1.36"));
    assertThat(named.images()).containsExactly(new ImportedImage("docker.io/library/busybox:1.36", a.digest(), false));
    assertThat(storage.projectRepos().list("edge")).containsExactly(repo("docker.io/library/busybox"));

    Path two = write("two.tar", tar(new Layout().add(a, Map.of()).add(b, Map.of()).entries()));
    assertThatThrownBy(() -> new BundleImporter(storage, progress).importBundle(two, new ImportOptions("edge", "x:1")))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.getMessage()).contains("2 images"));
  }

  @Test
  void aNameWithADigestMustBeTheImagesDigest() throws IOException {
    Image a = TestBundles.image(random, 1, 1000, null);
    Image b = TestBundles.image(random, 1, 1000, null);
    Path ok = bundle("tar", new Layout().add(a, Map.of(NameRules.CONTAINERD_NAME, "ghcr.io/x/y@" + a.digest())).entries());
    assertThat(importBundle(ok).images()).containsExactly(new ImportedImage("ghcr.io/x/y@" + a.digest(), a.digest(), false));
    assertThat(storage.pins().find(repo("ghcr.io/x/y"), ManifestReference.of(a.digest()))).isPresent();

    Path wrong = write("wrong.tar", tar(new Layout().add(b, Map.of(NameRules.CONTAINERD_NAME, "ghcr.io/x/y@" + a.digest())).entries()));
    assertThatThrownBy(() -> importBundle(wrong))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.DIGEST_INVALID));
  }

  @Test
  void anythingElseIsRefusedNamingTheFile() throws IOException {
    Path text = write("notes.tar.zst", TestBundles.utf8("just some text, long enough? no."));
    assertThatThrownBy(() -> importBundle(text)).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.UNSUPPORTED);
      assertThat(e.getMessage()).contains(text.toString());
    });
    Path zstdText = write("x.zst", zstd(TestBundles.random(random, 4000)));
    assertThatThrownBy(() -> importBundle(zstdText))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.getMessage()).contains("zstd").contains("does not hold a tar"));
    Path folder = Files.createDirectories(dir.resolve("empty-folder"));
    assertThatThrownBy(() -> importBundle(folder))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.getMessage()).contains("not an OCI image layout"));
    Path tarWithoutIndex = write("other.tar", tar(Map.of("hello.txt", TestBundles.utf8("hi"))));
    assertThatThrownBy(() -> importBundle(tarWithoutIndex))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.getMessage()).contains("neither index.json"));
    Path badIndex = write("bad.tar", tar(Map.of("oci-layout", TestBundles.utf8("{}"), "index.json", TestBundles.utf8("{\"schemaVersion\":2,"))));
    assertThatThrownBy(() -> importBundle(badIndex)).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
      assertThat(e.getMessage()).contains("index.json of " + badIndex);
    });
  }

  @Test
  void importedManifestsParseAndReferenceOnlyLinkedBlobs() throws IOException {
    Image app = TestBundles.image(random, 2, 1000, null);
    importBundle(bundle("tar", new Layout().add(app, Map.of(NameRules.CONTAINERD_NAME, "ghcr.io/org/app:1")).entries()));
    ManifestEntry e = storage.manifests().find(repo("ghcr.io/org/app"), app.digest()).orElseThrow();
    Manifest m = new ManifestParser().parse(e.body(), e.record().mediaType());
    for (Descriptor d : m.blobs()) {
      assertThat(storage.blobs().findIn(repo("ghcr.io/org/app"), d.digest())).isPresent();
    }
  }
}

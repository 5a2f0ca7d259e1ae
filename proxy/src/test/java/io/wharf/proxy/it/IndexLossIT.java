package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import io.wharf.storage.Fsck;
import io.wharf.storage.FsckProblem;
import io.wharf.storage.FsckReport;
import io.wharf.storage.Pin;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import io.wharf.storage.StorageConsistency;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.LinkFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 5 of issue 5: the RocksDB folder is deleted under a data folder with pulled-through
 * and pushed images and a pin; the next start rebuilds the index from the files, every image pulls
 * with its digests with the upstream gone, and the pin is still there. Then fsck finds a truncated
 * blob and a dangling link planted by the test.
 */
final class IndexLossIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RepositoryName ALPINE = RepositoryName.parse(PullThroughIT.HOST_KEY + "/library/alpine");

  @TempDir Path tmp;

  @Test
  void aDeletedIndexIsRebuiltAtStartAndFsckFindsPlantedDamage() throws Exception {
    Path data = tmp.resolve("data");
    SyntheticImages images = SyntheticImages.in(tmp.resolve("src"), 17);
    ImageInfo alpine = images.single("alpine", List.of(300_000L, 100_000L));
    ImageInfo nginx = images.multiArch("nginx", List.of(200_000L));
    ImageInfo app = images.single("app", List.of(150_000L));
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    try (DockerRegistry upstream = DockerRegistry.start(tmp.resolve("upstream"))) {
      skopeo.copy(images.ociRef("alpine"), "docker://" + upstream.hostPort() + "/library/alpine:3.20", "--preserve-digests");
      skopeo.copy(images.ociRef("nginx"), "docker://" + upstream.hostPort() + "/library/nginx:1.27", "--all", "--preserve-digests");
      try (WharfProcess wharf = WharfProcess.on(data).upstreams(PullThroughIT.upstreamYaml(upstream.url().toString(), "0s")).start()) {
        pull(skopeo, wharf, "hub/library/alpine:3.20", alpine, "p1");
        pull(skopeo, wharf, PullThroughIT.HOST_KEY + "/library/nginx:1.27", nginx, "p2");
        skopeo.copy(images.ociRef("app"), "docker://" + wharf.hostPort() + "/spectro-images/team/app:1", "--preserve-digests",
            "--dest-creds", wharf.adminCreds());
      }
    }
    List<Pin> pins;
    try (Storage storage = Storage.open(data)) {
      storage.pins().pin(ALPINE, ManifestReference.of(new Tag("3.20")), Digest.parse(alpine.digest()), "import");
      // the push pinned its image as well
      pins = storage.pins().list();
      assertThat(pins).extracting(Pin::source).containsExactlyInAnyOrder("push", "import");
    }
    deleteTree(data.resolve("index"));

    // the upstream is gone: what pulls now comes from the files alone
    try (WharfProcess wharf = WharfProcess.on(data).upstreams(PullThroughIT.upstreamYaml("http://127.0.0.1:5629", "0s")).start()) {
      assertThat(wharf.log()).contains("rebuilding it from the files");
      pull(skopeo, wharf, "hub/library/alpine:3.20", alpine, "o1");
      pull(skopeo, wharf, PullThroughIT.HOST_KEY + "/library/nginx:1.27", nginx, "o2");
      pull(skopeo, wharf, "spectro-images/team/app:1", app, "o3");
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();

    Layout layout = new Layout(data);
    String layer = alpine.blobs(ImageInfo.Kind.LAYER).get(0).digest();
    Path layerFile = layout.blobData(Digest.parse(layer));
    byte[] whole = Files.readAllBytes(layerFile);
    Files.write(layerFile, java.util.Arrays.copyOf(whole, whole.length / 2));
    Digest nowhere = Digest.sha256Of(new byte[] {42});
    LinkFile.write(layout.layerLink(RepositoryName.parse("spectro-images/team/app"), nowhere), nowhere, layout.tmpDir());

    try (Storage storage = Storage.open(data)) {
      assertThat(storage.rebuilt()).as("the daemon rebuilt it already").isEmpty();
      assertThat(storage.pins().list()).containsExactlyElementsOf(pins);
      FsckReport report = Fsck.check(storage, false, false, Progress.NONE);
      assertThat(report.of(FsckProblem.Kind.BLOB_TRUNCATED)).singleElement()
          .satisfies(p -> assertThat(p.subject()).contains(layer.substring(7)));
      // the planted link, and the torn blob's own layer link, which no longer resolves to a whole blob
      assertThat(report.of(FsckProblem.Kind.DANGLING_LINK)).extracting(FsckProblem::subject)
          .containsExactlyInAnyOrder(
              "repositories/spectro-images/team/app/_layers/sha256/" + nowhere.hex(),
              "repositories/" + ALPINE + "/_layers/sha256/" + layer.substring(7));

      Fsck.check(storage, false, true, Progress.NONE);
      assertThat(Fsck.check(storage, true, false, Progress.NONE).clean()).isTrue();
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  private static void pull(Skopeo skopeo, WharfProcess wharf, String name, ImageInfo image, String outName) throws IOException {
    Path out = wharf.dataDir().getParent().resolve(outName);
    List<String> flags = new ArrayList<>(List.of("--preserve-digests"));
    if (image.isIndex()) {
      flags.add("--all");
    }
    skopeo.copy("docker://" + wharf.hostPort() + "/" + name, "oci:" + out + ":copy", flags.toArray(String[]::new));
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText()).as(name).isEqualTo(image.digest());
    for (String digest : image.blobDigests()) {
      assertThat(out.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()))).as("%s blob %s", name, digest).exists();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

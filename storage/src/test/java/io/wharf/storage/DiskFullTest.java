package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.TestContent.Pushed;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk (ENOSPC) under the layout, for real: a 2 MiB tmpfs mounted on
 * {@code <data>/docker/registry/v2} (root only; CI runs as root). Uploads and manifest puts fail
 * with 503 UNAVAILABLE "storage is full", leave no temp file or session, and what was stored
 * before stays whole and readable. The index lives outside the mount, as it does in production
 * unless an operator puts both on one full disk.
 */
final class DiskFullTest {
  private static final RepositoryName REPO = repo("spectro-images/full/app");

  @TempDir Path data;
  private Path mount;
  private boolean mounted;
  private Storage storage;
  private final Random random = new Random(3);

  @BeforeEach
  void mountTmpfs() throws Exception {
    assumeThat(System.getProperty("user.name")).as("mounting a tmpfs takes root").isEqualTo("root");
    mount = data.resolve("docker/registry/v2");
    Files.createDirectories(mount);
    mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()) == 0;
    assumeThat(mounted).as("mount -t tmpfs (no CAP_SYS_ADMIN here?)").isTrue();
    storage = Storage.open(data);
  }

  @AfterEach
  void unmount() throws Exception {
    if (storage != null) {
      storage.close();
    }
    if (mounted) {
      assertThat(run("umount", mount.toString())).isZero();
    }
  }

  @Test
  void anUploadThatOverflowsFailsCleanlyAndLeavesNothing() {
    BlobInfo kept = upload(storage, REPO, bytes(random, 100_000));
    Pushed image = image(List.of(kept), null, null);
    image.put(storage, REPO, tag("1"));

    Upload u = storage.uploads().start(REPO);
    byte[] chunk = bytes(random, 64 * 1024);
    assertThatThrownBy(() -> {
      try (UploadWriter w = storage.uploads().open(REPO, u.id(), 0)) {
        for (int i = 0; i < 64; i++) { // 4 MiB into 2
          w.write(ByteBuffer.wrap(chunk));
        }
      }
    }).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
      assertThat(e.getMessage()).contains("storage is full");
    });

    assertThatThrownBy(() -> storage.uploads().status(REPO, u.id()))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.BLOB_UPLOAD_UNKNOWN));
    assertNothingLeftBehind();
    assertThat(storage.blobs().findIn(REPO, kept.digest())).isPresent();
    assertThat(storage.manifests().find(REPO, image.digest())).isPresent();
    // the space came back: the next upload fits
    upload(storage, REPO, bytes(random, 500_000));
  }

  @Test
  void aFetchThatHashesAheadOfItsWritesFailsCleanlyToo() {
    Upload u = storage.uploads().start(REPO);
    UploadWriter w = storage.uploads().open(REPO, u.id(), -1);
    ByteBuffer chunk = ByteBuffer.wrap(bytes(random, 256 * 1024));
    assertThatThrownBy(() -> {
      for (int i = 0; i < 16; i++) {
        w.hash(chunk);
        w.appendHashed(chunk.duplicate());
      }
    }).isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE));
    w.close();

    assertNothingLeftBehind();
  }

  @Test
  void aManifestPutOnAFullDiskFailsCleanlyAndWorksOnceThereIsRoom() throws Exception {
    BlobInfo config = upload(storage, REPO, bytes(random, 1000));
    Pushed image = image(List.of(config), null, null);
    Path filler = mount.resolve("filler");
    fill(filler);

    assertThatThrownBy(() -> image.put(storage, REPO, tag("1")))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
          assertThat(e.getMessage()).contains("storage is full");
        });
    assertThat(storage.manifests().find(REPO, image.digest())).isEmpty();
    assertThat(TestContent.filesUnder(storage.layout().tmpDir())).isEmpty();

    Files.delete(filler);
    image.put(storage, REPO, tag("1"));
    assertThat(storage.tags().find(REPO, tag("1"))).isPresent();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  private void assertNothingLeftBehind() {
    assertThat(TestContent.filesUnder(storage.layout().tmpDir())).isEmpty();
    assertThat(TestContent.filesUnder(storage.layout().repositoriesRoot()))
        .noneMatch(p -> p.toString().contains("/_uploads/"));
  }

  /** Writes until the file system refuses. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", command) + ": " + output);
    }
    return p.exitValue();
  }
}

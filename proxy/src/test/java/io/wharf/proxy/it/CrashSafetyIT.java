package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.proxy.it.fixture.BlobFile;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import io.wharf.storage.StorageConsistency;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Acceptance 3 of issue 2: the real daemon halts (Runtime.halt, as a power cut stops it) at each
 * step of the commit protocol, for a chunked upload and for a manifest push; after a restart the
 * repository shows the whole object or nothing, no temp file is left, and a walk of index against
 * files finds no difference. Plus a kill -9 at a random moment of a large upload.
 */
final class CrashSafetyIT {
  private static final String REPO = "spectro-images/crash/app";
  private static final int HALT_STATUS = 86;

  // pushes log in as the admin of the generated config; pulls stay anonymous
  private static final String AUTH = "Authorization";
  private static final String ADMIN = WharfProcess.ADMIN_AUTHORIZATION;

  @TempDir Path tmp;
  private final Http http = Http.client(Duration.ofMinutes(2));

  @ParameterizedTest
  @ValueSource(strings = {"after-temp-write", "after-fsync", "after-rename", "after-index-write"})
  void chunkedUploadIsWholeOrAbsentAfterCrash(String step) throws IOException {
    Path data = tmp.resolve("data");
    byte[] first = random(3 * 1024 * 1024 + 7, step.hashCode());
    byte[] second = random(1024 * 1024, step.hashCode() + 1);
    String digest = sha256(first, second);

    WharfProcess crashing = WharfProcess.on(data).jvmArgs("-Dwharf.test.crashAt=blob:" + step).start();
    String location = startUpload(crashing);
    location = patch(location, first, 0);
    location = patch(location, second, first.length);
    String finish = location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    assertThatThrownBy(() -> http.put(finish, new byte[0], AUTH, ADMIN)).isInstanceOf(UncheckedIOException.class);
    assertThat(crashing.awaitExit(Duration.ofSeconds(30))).isEqualTo(HALT_STATUS);
    crashing.close();

    boolean committed = step.equals("after-rename") || step.equals("after-index-write");
    try (WharfProcess wharf = WharfProcess.start(data)) {
      Http.Response head = http.head(blobUrl(wharf, digest));
      if (committed) {
        assertThat(head.status()).as("blob after a crash %s", step).isEqualTo(200);
        assertThat(head.header("Content-Length")).hasValue(String.valueOf(first.length + second.length));
        assertThat(http.getStreamed(blobUrl(wharf, digest)).bodyDigest()).isEqualTo(digest);
      } else {
        assertThat(head.status()).as("blob after a crash %s", step).isEqualTo(404);
      }
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"after-temp-write", "after-fsync", "after-rename", "after-index-write"})
  void manifestPushIsWholeOrAbsentAfterCrash(String step) throws IOException {
    Path data = tmp.resolve("data");
    byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
        .getBytes(StandardCharsets.UTF_8);
    byte[] layer = random(512 * 1024, step.hashCode());
    String manifestJson = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + sha256(config)
        + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        + "\"digest\":\"" + sha256(layer) + "\",\"size\":" + layer.length + "}]}";
    byte[] manifest = manifestJson.getBytes(StandardCharsets.UTF_8);
    String manifestDigest = sha256(manifest);

    WharfProcess crashing = WharfProcess.on(data).jvmArgs("-Dwharf.test.crashAt=manifest:" + step).start();
    pushMonolithic(crashing, config);
    pushMonolithic(crashing, layer);
    String url = crashing.url() + "/v2/" + REPO + "/manifests/v1";
    assertThatThrownBy(() -> http.put(url, manifest, "Content-Type", "application/vnd.oci.image.manifest.v1+json", AUTH, ADMIN))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(crashing.awaitExit(Duration.ofSeconds(30))).isEqualTo(HALT_STATUS);
    crashing.close();

    boolean committed = step.equals("after-rename") || step.equals("after-index-write");
    try (WharfProcess wharf = WharfProcess.start(data)) {
      Http.Response byTag = http.get(wharf.url() + "/v2/" + REPO + "/manifests/v1");
      Http.Response byDigest = http.get(wharf.url() + "/v2/" + REPO + "/manifests/" + manifestDigest);
      if (committed) {
        assertThat(byTag.status()).isEqualTo(200);
        assertThat(byDigest.status()).isEqualTo(200);
        assertThat(sha256(byTag.body())).isEqualTo(manifestDigest);
      } else {
        assertThat(byTag.status()).isEqualTo(404);
        assertThat(byDigest.status()).isEqualTo(404);
      }
      // the blobs pushed before the crash were committed whole either way
      assertThat(http.head(blobUrl(wharf, sha256(layer))).status()).isEqualTo(200);
    }
    assertThat(StorageConsistency.differences(data)).isEmpty();
  }

  @Test
  void killNineDuringLargeUploadLeavesConsistentStorage() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Path data = tmp.resolve("data");
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), 256L * 1024 * 1024, seed);

    WharfProcess crashing = WharfProcess.start(data);
    String location = startUpload(crashing);
    String finish = location + (location.contains("?") ? "&" : "?") + "digest=" + blob.digest();
    CompletableFuture<Http.Response> upload = CompletableFuture.supplyAsync(() -> http.putFile(finish, blob.path(), AUTH, ADMIN));
    long delayMs = 50 + random.nextInt(1500);
    Thread.sleep(delayMs); // the random moment itself is the point of this test
    crashing.kill9();
    assertThat(crashing.awaitExit(Duration.ofSeconds(30))).as("seed %d", seed).isEqualTo(137);
    crashing.close();
    boolean finished = upload.handle((r, e) -> r != null && r.status() == 201).get();

    try (WharfProcess wharf = WharfProcess.start(data)) {
      Http.Response head = http.head(blobUrl(wharf, blob.digest()));
      if (finished) {
        assertThat(head.status()).as("seed %d, killed after %d ms", seed, delayMs).isEqualTo(200);
      }
      if (head.status() == 200) {
        assertThat(http.getStreamed(blobUrl(wharf, blob.digest())).bodyDigest()).isEqualTo(blob.digest());
      } else {
        assertThat(head.status()).as("seed %d, killed after %d ms", seed, delayMs).isEqualTo(404);
      }
      // storage is still usable: the same upload now succeeds
      String again = startUpload(wharf);
      String done = again + (again.contains("?") ? "&" : "?") + "digest=" + blob.digest();
      assertThat(http.putFile(done, blob.path(), AUTH, ADMIN).status()).isEqualTo(201);
    }
    assertThat(StorageConsistency.differences(data)).as("seed %d, killed after %d ms", seed, delayMs).isEmpty();
  }

  private String startUpload(WharfProcess wharf) {
    Http.Response r = http.post(wharf.url() + "/v2/" + REPO + "/blobs/uploads/", new byte[0], AUTH, ADMIN);
    assertThat(r.status()).isEqualTo(202);
    return Http.resolve(wharf.url().toString(), r.header("Location").orElseThrow());
  }

  private String patch(String location, byte[] chunk, long start) {
    Http.Response r = http.patch(location, chunk,
        "Content-Type", "application/octet-stream",
        "Content-Range", start + "-" + (start + chunk.length - 1), AUTH, ADMIN);
    assertThat(r.status()).isEqualTo(202);
    return Http.resolve(location, r.header("Location").orElseThrow());
  }

  private void pushMonolithic(WharfProcess wharf, byte[] blob) {
    Http.Response r = http.post(wharf.url() + "/v2/" + REPO + "/blobs/uploads/?digest=" + sha256(blob), blob,
        "Content-Type", "application/octet-stream", AUTH, ADMIN);
    assertThat(r.status()).isEqualTo(201);
  }

  private static String blobUrl(WharfProcess wharf, String digest) {
    return wharf.url() + "/v2/" + REPO + "/blobs/" + digest;
  }

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
      }
      return "sha256:" + HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

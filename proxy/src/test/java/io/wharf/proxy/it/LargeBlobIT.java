package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.BlobFile;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 5 of issue 2: a 2 GiB blob is pushed (monolithic and chunked) and pulled back with the
 * daemon's heap capped at 64 MiB, which only works if no path buffers a whole blob.
 */
final class LargeBlobIT {
  private static final long SIZE = 2L * 1024 * 1024 * 1024 + 12_345;
  private static final String REPO = "spectro-images/big/blob";

  @TempDir Path tmp;
  private final Http http = Http.client(Duration.ofMinutes(10));

  @Test
  void pushesAndPullsTwoGibibytesWithA64MibHeap() throws Exception {
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), SIZE, 7);
    try (WharfProcess wharf = WharfProcess.on(tmp.resolve("data"))
        .jvmArgs("-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError")
        .start()) {
      // monolithic: the whole blob as the body of the closing PUT
      String location = start(wharf);
      Http.Response put = http.putFile(location + sep(location) + "digest=" + blob.digest(), blob.path(),
          "Content-Type", "application/octet-stream", "Authorization", wharf.adminAuthorization());
      assertThat(put.status()).as(wharf.log()).isEqualTo(201);
      assertThat(put.header("Docker-Content-Digest")).hasValue(blob.digest());

      Http.Streamed got = http.getStreamed(wharf.url() + "/v2/" + REPO + "/blobs/" + blob.digest());
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.bodySize()).isEqualTo(SIZE);
      assertThat(got.bodyDigest()).isEqualTo(blob.digest());

      // chunked: the same bytes through PATCH into another repository, then a closing empty PUT
      String other = "spectro-images/big/other";
      Http.Response started = http.post(wharf.url() + "/v2/" + other + "/blobs/uploads/", new byte[0],
          "Authorization", wharf.adminAuthorization());
      String chunked = Http.resolve(wharf.url().toString(), started.header("Location").orElseThrow());
      Http.Response patched = http.patchFile(chunked, blob.path(), "Content-Type", "application/octet-stream",
          "Authorization", wharf.adminAuthorization());
      assertThat(patched.status()).as(wharf.log()).isEqualTo(202);
      String next = Http.resolve(chunked, patched.header("Location").orElseThrow());
      assertThat(http.put(next + sep(next) + "digest=" + blob.digest(), new byte[0],
          "Authorization", wharf.adminAuthorization()).status()).isEqualTo(201);
      assertThat(http.getStreamed(wharf.url() + "/v2/" + other + "/blobs/" + blob.digest()).bodyDigest())
          .isEqualTo(blob.digest());
      assertThat(wharf.isAlive()).as("no OutOfMemoryError exit: %s", wharf.log()).isTrue();
    } finally {
      Files.deleteIfExists(blob.path());
    }
  }

  private String start(WharfProcess wharf) {
    Http.Response r = http.post(wharf.url() + "/v2/" + REPO + "/blobs/uploads/", new byte[0],
        "Authorization", wharf.adminAuthorization());
    assertThat(r.status()).isEqualTo(202);
    return Http.resolve(wharf.url().toString(), r.header("Location").orElseThrow());
  }

  private static String sep(String url) {
    return url.contains("?") ? "&" : "?";
  }
}

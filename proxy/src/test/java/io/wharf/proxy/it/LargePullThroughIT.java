package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.BlobFile;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 7 of issue 3: a 2 GiB blob pulled through from a real upstream with wharf's heap
 * capped at 64 MiB, then served again from the cache.
 */
final class LargePullThroughIT {
  private static final long SIZE = 2L * 1024 * 1024 * 1024 + 777;

  @TempDir Path tmp;
  private final Http http = Http.client(Duration.ofMinutes(10));

  @Test
  void pullsTwoGibibytesThroughWithA64MibHeap() throws Exception {
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), SIZE, 11);
    try (DockerRegistry upstream = DockerRegistry.start(tmp.resolve("upstream"))) {
      Http.Response started = http.post(upstream.url() + "/v2/big/blob/blobs/uploads/", new byte[0]);
      assertThat(started.status()).isEqualTo(202);
      String location = Http.resolve(upstream.url().toString(), started.header("Location").orElseThrow());
      String finish = location + (location.contains("?") ? "&" : "?") + "digest=" + blob.digest();
      assertThat(http.putFile(finish, blob.path(), "Content-Type", "application/octet-stream").status()).isEqualTo(201);
      Files.delete(blob.path());

      try (WharfProcess wharf = WharfProcess.on(tmp.resolve("data"))
          .jvmArgs("-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError")
          .upstreams(PullThroughIT.upstreamYaml(upstream.url().toString(), "5m"))
          .start()) {
        String url = wharf.url() + "/v2/hub/big/blob/blobs/" + blob.digest();
        Http.Streamed cold = http.getStreamed(url);
        assertThat(cold.status()).as(wharf.log()).isEqualTo(200);
        assertThat(cold.bodySize()).isEqualTo(SIZE);
        assertThat(cold.bodyDigest()).isEqualTo(blob.digest());
        upstream.stop();
        Http.Streamed warm = http.getStreamed(url);
        assertThat(warm.bodyDigest()).as("served from the cache with the upstream stopped").isEqualTo(blob.digest());
        assertThat(wharf.isAlive()).as("no OutOfMemoryError exit: %s", wharf.log()).isTrue();
      }
    }
  }
}

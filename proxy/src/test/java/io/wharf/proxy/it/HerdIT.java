package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.AccessLogCounter;
import io.wharf.proxy.it.fixture.BlobFile;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.ThrottledReader;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3 of issue 3: 16 concurrent clients GET one uncached 256 MiB blob; the upstream sees
 * exactly one GET and every client gets the right bytes. Then, with one more client reading at
 * 1 MiB/s, the other 16 finish within 1.3x of their time without it, in the same test.
 */
final class HerdIT {
  private static final long SIZE = 256L * 1024 * 1024;
  private static final int CLIENTS = 16;

  @TempDir Path tmp;
  private final Http http = Http.client(Duration.ofMinutes(5));

  @Test
  void sixteenClientsShareOneUpstreamReadAndASlowReaderSlowsNobody() throws Exception {
    try (DockerRegistry upstream = DockerRegistry.start(tmp.resolve("upstream"));
        WharfProcess wharf = WharfProcess.on(tmp.resolve("data"))
            .upstreams(PullThroughIT.upstreamYaml(upstream.url().toString(), "5m"))
            .start()) {
      BlobFile first = push(upstream, 1);
      AccessLogCounter before = AccessLogCounter.of(upstream);
      long plain = herd(wharf, first, false);
      AccessLogCounter during = AccessLogCounter.of(upstream).since(before);
      assertThat(during.count("GET", "/v2/herd/blob/blobs/" + first.digest())).isEqualTo(1);

      BlobFile second = push(upstream, 2);
      long withSlowReader = herd(wharf, second, true);
      assertThat((double) withSlowReader)
          .as("16 clients took %d ms alone and %d ms beside a 1 MiB/s reader", plain, withSlowReader)
          .isLessThanOrEqualTo(plain * 1.3);
    }
  }

  private BlobFile push(DockerRegistry upstream, long seed) {
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), SIZE, seed);
    Http.Response started = http.post(upstream.url() + "/v2/herd/blob/blobs/uploads/", new byte[0]);
    String location = Http.resolve(upstream.url().toString(), started.header("Location").orElseThrow());
    String finish = location + (location.contains("?") ? "&" : "?") + "digest=" + blob.digest();
    assertThat(http.putFile(finish, blob.path(), "Content-Type", "application/octet-stream").status()).isEqualTo(201);
    return blob;
  }

  /** Runs the herd and returns the wall time of the 16 normal clients, in ms. */
  private long herd(WharfProcess wharf, BlobFile blob, boolean slowReader) throws Exception {
    String url = wharf.url() + "/v2/hub/herd/blob/blobs/" + blob.digest();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
    try {
      CompletableFuture<ThrottledReader.Result> slow = slowReader
          ? CompletableFuture.supplyAsync(() -> ThrottledReader.get(URI.create(url), 1024 * 1024, Duration.ofMinutes(10)), pool)
          : null;
      long start = System.nanoTime();
      List<CompletableFuture<Http.Streamed>> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(CompletableFuture.supplyAsync(() -> http.getStreamed(url), pool));
      }
      for (CompletableFuture<Http.Streamed> c : clients) {
        Http.Streamed r = c.get();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyDigest()).isEqualTo(blob.digest());
      }
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      if (slow != null) {
        slow.cancel(true); // it would take minutes at 1 MiB/s; its pace is the point, not its end
      }
      return elapsed;
    } finally {
      pool.shutdownNow();
    }
  }
}

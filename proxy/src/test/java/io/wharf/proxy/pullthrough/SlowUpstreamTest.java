package io.wharf.proxy.pullthrough;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.wharf.oci.Digest;
import io.wharf.proxy.WharfServerExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests that wait on a slow upstream hold up nothing else: while more cold blob requests than
 * the machine has cores (and than the old fixed route pool had threads) wait for one upstream's
 * answer, a blob already cached is served at once on fresh connections, and the waiting requests
 * all get their answer after one upstream delay, not queued behind each other.
 *
 * <p>Before route threads grew with the waiting requests, each connection was pinned to one of
 * four threads: a cached pull pinned behind a waiting one took the upstream's whole delay, and the
 * 16 waiting requests were answered four at a time.
 */
final class SlowUpstreamTest {
  private static final Duration DELAY = Duration.ofSeconds(4);
  private static final int WAITING = 16;

  static final WireMockServer upstream = started();

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      upstreams:
        - {name: slow, host: slow.test, url: 'http://127.0.0.1:%d', tagTtl: 5m}
      defaultUpstream: ""
      pullThrough:
        readTimeout: 30s
        retries: 0
        breaker: {failureThreshold: 1000, openFor: 1s, maxOpenFor: 1s}
      """.formatted(upstream.port()));

  private static WireMockServer started() {
    WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
        .http2PlainDisabled(true).containerThreads(WAITING + 10));
    server.start();
    return server;
  }

  @AfterAll
  static void stopUpstream() {
    upstream.stop();
  }

  @Test
  void cachedPullsAreServedWhileColdOnesWaitOnTheUpstream() throws Exception {
    byte[] cached = new byte[64 * 1024];
    new Random(7).nextBytes(cached);
    Digest cachedDigest = Digest.sha256Of(cached);
    upstream.stubFor(get(urlPathEqualTo("/v2/library/fast/blobs/" + cachedDigest))
        .willReturn(aResponse().withBody(cached)));
    upstream.stubFor(get(urlPathMatching("/v2/library/cold/blobs/.*")).willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown\"}]}")
        .withFixedDelay((int) DELAY.toMillis())));
    String cachedPath = "/v2/slow/library/fast/blobs/" + cachedDigest;
    assertThat(status(wharf.client(), cachedPath)).isEqualTo(200);

    ExecutorService clients = Executors.newFixedThreadPool(WAITING);
    try {
      long t0 = System.nanoTime();
      List<Future<Integer>> waiting = new ArrayList<>();
      for (int i = 0; i < WAITING; i++) {
        String path = "/v2/slow/library/cold/blobs/" + Digest.sha256Of(("cold " + i).getBytes());
        // a client each: one connection each, as many nodes would open
        waiting.add(clients.submit(() -> status(newClient(), path)));
      }
      // every waiting request has reached the upstream: all of them are inside wharf now
      await("all " + WAITING + " cold requests at the upstream at once").atMost(DELAY.dividedBy(2))
          .pollInterval(Duration.ofMillis(20)).until(
          () -> upstream.countRequestsMatching(getRequestedFor(urlPathMatching("/v2/library/cold/blobs/.*")).build())
              .getCount() == WAITING);

      for (int i = 0; i < 8; i++) {
        long c0 = System.nanoTime();
        assertThat(status(newClient(), cachedPath)).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - c0)).as("cached pull %d while %d wait on the upstream", i, WAITING)
            .isLessThan(DELAY.dividedBy(4));
      }
      for (Future<Integer> f : waiting) {
        assertThat(f.get()).isEqualTo(404);
      }
      // answered together after one delay; four at a time would take four delays
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(DELAY.multipliedBy(2));
    } finally {
      clients.shutdownNow();
    }
  }

  private static HttpClient newClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static int status(HttpClient client, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(wharf.uri(path)).timeout(Duration.ofSeconds(30)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}

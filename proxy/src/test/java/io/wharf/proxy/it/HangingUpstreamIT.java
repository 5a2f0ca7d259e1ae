package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.FreezableForwarder;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 2 of issue 3, the hanging part: the real upstream behind a {@link FreezableForwarder}
 * that is frozen (it accepts connections and never answers, as after SIGSTOP). The first tag pull is
 * served stale within {@code tagCheckTimeout} + 1 s; once the breaker is open (seen in {@code
 * /metrics}), 20 tag pulls in a row open no new connection at the upstream's socket.
 */
final class HangingUpstreamIT {
  private static final Duration TAG_CHECK_TIMEOUT = Duration.ofSeconds(2);
  private static final int FAILURE_THRESHOLD = 2;
  private static final Pattern BREAKER_LEVEL =
      Pattern.compile("(?m)^wharf_upstream_breaker_level\\{[^}]*upstream=\"hub\"[^}]*\\} (\\S+)$");
  private static final String ACCEPT_ALL = String.join(", ", SyntheticImages.INDEX_MEDIA_TYPE,
      "application/vnd.docker.distribution.manifest.list.v2+json", SyntheticImages.MANIFEST_MEDIA_TYPE,
      "application/vnd.docker.distribution.manifest.v2+json");

  // longer than any wait below: a hung request fails the test with its own message, not a timeout here
  private final Http http = Http.client(Duration.ofSeconds(30));

  @Test
  void servesCachedTagsStaleAtOnceAndOpensNoConnectionOnceTheBreakerIsOpen(@TempDir Path tmp) throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 21);
    ImageInfo alpine = images.single("alpine", List.of(300_000L, 100_000L));
    try (var upstream = DockerRegistry.start(tmp.resolve("upstream"));
        var forwarder = FreezableForwarder.to(upstream.port())) {
      Skopeo.in(tmp.resolve("skopeo")).copy(images.ociRef("alpine"),
          "docker://" + upstream.hostPort() + "/library/alpine:3.20", "--preserve-digests");
      // tagTtl 0s: every tag request checks upstream; openFor 60s: no probe while the test runs
      String yaml = "upstreams:\n"
          + "  - {name: hub, host: 'upstream.test:5000', url: '" + forwarder.url() + "', tagTtl: 0s}\n"
          + "defaultUpstream: 'upstream.test:5000'\n"
          + "pullThrough:\n"
          + "  tagCheckTimeout: " + TAG_CHECK_TIMEOUT.toSeconds() + "s\n"
          + "  connectTimeout: 2s\n"
          + "  readTimeout: 5s\n"
          + "  breaker: {failureThreshold: " + FAILURE_THRESHOLD + ", openFor: 60s, maxOpenFor: 60s}\n";
      var launcher = WharfProcess.on(tmp.resolve("data")).upstreams(yaml);
      ContainerdPullIT.directOnly(launcher);
      try (var wharf = launcher.start()) {
        String repo = wharf.url() + "/v2/hub/library/alpine";
        String tagUrl = repo + "/manifests/3.20";

        // cached: the tag, its manifest and every blob
        Http.Response first = http.get(tagUrl, "Accept", ACCEPT_ALL);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.dockerContentDigest()).isEqualTo(alpine.digest());
        for (ImageInfo.Blob blob : alpine.blobs()) {
          if (blob.kind() != ImageInfo.Kind.MANIFEST) {
            assertThat(http.getStreamed(repo + "/blobs/" + blob.digest()).bodyDigest()).isEqualTo(blob.digest());
          }
        }
        assertThat(breakerLevel(wharf)).isEqualTo(0.0);

        forwarder.freeze();
        try {
          // the first tag pull waits for the check, then gets the cached copy
          long t0 = System.nanoTime();
          Http.Response stale = http.get(tagUrl, "Accept", ACCEPT_ALL);
          Duration firstPull = Duration.ofNanos(System.nanoTime() - t0);
          assertThat(stale.status()).isEqualTo(200);
          assertThat(stale.dockerContentDigest()).isEqualTo(alpine.digest());
          assertThat(firstPull).isLessThan(TAG_CHECK_TIMEOUT.plusSeconds(1));
          // and it did wait: the check was sent to the hanging upstream, not skipped
          assertThat(firstPull).isGreaterThan(TAG_CHECK_TIMEOUT.minusMillis(200));

          // more tag pulls until the breaker opens: at most failureThreshold in all
          int pulls = 1;
          while (breakerLevel(wharf) != 2.0 && pulls < FAILURE_THRESHOLD + 3) {
            Http.Response r = http.get(tagUrl, "Accept", ACCEPT_ALL);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.dockerContentDigest()).isEqualTo(alpine.digest());
            pulls++;
          }
          assertThat(breakerLevel(wharf)).as("breaker level after %d tag pulls", pulls).isEqualTo(2.0);
          assertThat(pulls).isLessThanOrEqualTo(FAILURE_THRESHOLD);

          // breaker open: 20 tag pulls in a row, each fast, none dialling the hanging upstream
          int before = forwarder.accepted();
          for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            Http.Response r = i % 2 == 0 ? http.get(tagUrl, "Accept", ACCEPT_ALL) : http.head(tagUrl, "Accept", ACCEPT_ALL);
            Duration took = Duration.ofNanos(System.nanoTime() - t);
            assertThat(r.status()).as("tag pull %d", i).isEqualTo(200);
            assertThat(r.dockerContentDigest()).as("tag pull %d", i).isEqualTo(alpine.digest());
            assertThat(r.header("Content-Length")).as("tag pull %d", i).hasValue(String.valueOf(alpine.size()));
            assertThat(took).as("tag pull %d", i).isLessThan(Duration.ofSeconds(1));
          }
          // accept() returns a few ms after a connect: the count must stay put a while to be sure
          await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
              .until(() -> forwarder.accepted() == before);
          assertThat(forwarder.accepted()).as("connections opened at the upstream's socket").isEqualTo(before);

          // by digest and a cached blob: served at once, frozen or not
          long t = System.nanoTime();
          Http.Response byDigest = http.get(repo + "/manifests/" + alpine.digest(), "Accept", ACCEPT_ALL);
          assertThat(byDigest.status()).isEqualTo(200);
          String layer = alpine.blobs(ImageInfo.Kind.LAYER).get(0).digest();
          assertThat(http.getStreamed(repo + "/blobs/" + layer).bodyDigest()).isEqualTo(layer);
          assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofMillis(500));
          assertThat(forwarder.accepted()).isEqualTo(before);
        } finally {
          forwarder.thaw();
        }
      }
    }
  }

  /** {@code wharf_upstream_breaker_level{upstream="hub"}}: 0 healthy, 1 degraded, 2 offline. */
  private double breakerLevel(WharfProcess wharf) {
    Http.Response metrics = http.get(wharf.url() + "/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    Matcher m = BREAKER_LEVEL.matcher(metrics.bodyText());
    assertThat(m.find()).as("breaker level of hub in /metrics:\n%s", metrics.bodyText()).isTrue();
    return Double.parseDouble(m.group(1));
  }
}

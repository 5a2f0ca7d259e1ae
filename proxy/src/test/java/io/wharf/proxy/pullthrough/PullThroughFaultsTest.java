package io.wharf.proxy.pullthrough;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3, acceptance 4: upstream faults through the real daemon, one row each. A row stubs a fault
 * at the upstream (WireMock on 127.0.0.1; a {@link ResettingRelay} in front of it where WireMock
 * cannot reset mid-body), sends one manifest or blob request through wharf, and checks what the
 * client got (status and OCI error code, or a body cut short), whether wharf committed it, and how
 * many requests the upstream saw for it; then removes the fault and checks that the next request
 * recovers.
 *
 * <p>Every row has its own upstream (its own client, token cache and circuit breaker), named like
 * the row, pulling {@code library/<row>}: rows cannot disturb each other, and the upstream's request
 * journal for a row's path is that row's alone.
 */
final class PullThroughFaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration TAG_CHECK_TIMEOUT = Duration.ofMillis(500);
  private static final Duration NEGATIVE_CACHE_TTL = Duration.ofSeconds(1);
  private static final int RETRIES = 2;
  /** {@link BlobFetch#MAX_RESUMES}: how often a dropped fetch asks again with a Range. */
  private static final int RESUMES = BlobFetch.MAX_RESUMES;

  private static final byte[] CONFIG = "{}".getBytes(UTF_8);
  private static final Digest CONFIG_DIGEST = Digest.sha256Of(CONFIG);
  private static final int BLOB_SIZE = 256 * 1024;
  /** Where a dropped or reset response stops: well inside the blob, past a few socket reads. */
  private static final int CUT = 100_000;

  // plain servers rather than WireMockExtension: the daemon's config names their ports, and the
  // server extension reads it before any other extension would have started them
  static final WireMockServer upstream = started(new WireMockServer(wireMockConfig()
      .dynamicPort().bindAddress("127.0.0.1").http2PlainDisabled(true).extensions(new ServesRanges())));
  static final WireMockServer cdn = started(new WireMockServer(wireMockConfig()
      .dynamicPort().bindAddress("127.0.0.1").http2PlainDisabled(true)));
  static final ResettingRelay relay = ResettingRelay.to(upstream.port());

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml(config());

  private static WireMockServer started(WireMockServer server) {
    server.start();
    // what every image's manifest points at, for the background completion of a new manifest
    server.stubFor(get(urlPathMatching("/v2/library/[a-z0-9]+/blobs/" + CONFIG_DIGEST))
        .atPriority(10).willReturn(aResponse().withBody(CONFIG)));
    return server;
  }

  private static String config() {
    String wm = "http://127.0.0.1:" + upstream.port();
    StringBuilder yaml = new StringBuilder("upstreams:\n");
    for (String name : List.of("token", "truncated", "garbage", "digest", "mismatch", "flaky", "failing", "limited",
        "refused",
        "dropped", "missing", "chunked")) {
      yaml.append("  - {name: ").append(name).append(", host: ").append(name).append(".test, url: '").append(wm)
          .append("', tagTtl: ").append(name.equals("token") ? "0" : "5m").append("}\n");
    }
    // the upstream as "localhost", its CDN as 127.0.0.1: two host names, and credentials to leak
    yaml.append("  - {name: redirect, host: redirect.test, url: 'http://localhost:").append(upstream.port())
        .append("', tagTtl: 5m, username: robot, password: s3cret}\n");
    yaml.append("  - {name: reset, host: reset.test, url: 'http://127.0.0.1:").append(relay.port())
        .append("', tagTtl: 5m}\n");
    yaml.append("  - {name: hang, host: hang.test, url: '").append(wm).append("', tagTtl: 0}\n");
    return yaml + """
        defaultUpstream: ""
        pullThrough:
          tagCheckTimeout: %dms
          negativeCacheTtl: %dms
          connectTimeout: 1s
          readTimeout: %dms
          retries: %d
          breaker: {failureThreshold: 50, openFor: 1s, maxOpenFor: 2s}
        """.formatted(TAG_CHECK_TIMEOUT.toMillis(), NEGATIVE_CACHE_TTL.toMillis(), READ_TIMEOUT.toMillis(), RETRIES);
  }

  @AfterAll
  static void stopUpstreams() {
    relay.close();
    upstream.stop();
    cdn.stop();
  }

  // ---- the table

  static Stream<Arguments> rows() {
    return Stream.of(
        row("1 token challenge, then the token is reused, refreshed on a 401 and after expiry",
            Row.manifest("token")
                .fault(PullThroughFaultsTest::tokenChallenge)
                .expect(served(2))
                .also(PullThroughFaultsTest::tokenIsReusedThenRefreshed)
                .fix(i -> {
                  manifestStubs(i);
                  stub(i, get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"t3\"}")));
                })),
        row("2 blob 307 to a CDN host, followed without the upstream's Authorization",
            Row.blob("redirect")
                .fault(PullThroughFaultsTest::redirectToCdn)
                .expect(served(2))
                .also(PullThroughFaultsTest::cdnGotNoAuthorization)
                .fix(i -> redirectToCdn(i))),
        row("3 truncated body (Content-Length larger than sent), Range ignored",
            Row.blob("truncated")
                .fault(i -> stub(i, get(i.upstreamBlobPath()).willReturn(aResponse()
                    .withHeader("Content-Length", Integer.toString(BLOB_SIZE))
                    .withBody(Arrays.copyOf(i.blob(), CUT)))))
                .expect(aborted(1 + RESUMES))
                .also((i, r, took) -> {
                  assertThat(upstream.findAll(getRequestedFor(urlPathEqualTo(i.upstreamBlobPath()))
                      .withHeader("Range", equalTo("bytes=" + CUT + "-")))).hasSize(RESUMES);
                  assertThat(fetchFailures(i.name(), "truncated")).isEqualTo(1);
                })
                .fix(PullThroughFaultsTest::blobStub)),
        row("3b random bytes then close, before any response head",
            Row.blob("garbage")
                .fault(i -> stub(i, get(i.upstreamBlobPath()).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE))))
                .expect(error(503, "UNAVAILABLE", 1 + RETRIES))
                .fix(PullThroughFaultsTest::blobStub)),
        row("4 wrong digest: the upstream's bytes hash to something else",
            Row.blob("digest")
                .fault(i -> stub(i, get(i.upstreamBlobPath()).willReturn(blobResponse(bytes(BLOB_SIZE, 99)))))
                .expect(aborted(1))
                .also((i, r, took) -> {
                  assertThat(r.body()).hasSizeLessThan(BLOB_SIZE); // never the whole unverified body
                  assertThat(fetchFailures(i.name(), "digest_mismatch")).isEqualTo(1);
                })
                .fix(PullThroughFaultsTest::blobStub)),
        row("4b wrong digest, no Content-Length: nothing was sent yet, so an error status",
            Row.blob("mismatch")
                .fault(i -> stub(i, get(i.upstreamBlobPath()).willReturn(aResponse()
                    .withHeader("Transfer-Encoding", "chunked").withBody(bytes(BLOB_SIZE, 99)))))
                .expect(error(503, "UNAVAILABLE", 1))
                .also((i, r, took) -> assertThat(fetchFailures(i.name(), "digest_mismatch")).isEqualTo(1))
                .fix(PullThroughFaultsTest::blobStub)),
        row("5 manifest: 500, then 200",
            Row.manifest("flaky")
                .fault(i -> {
                  stub(i, get(i.upstreamManifestPath()).inScenario("flaky").whenScenarioStateIs(STARTED)
                      .willReturn(aResponse().withStatus(500)).willSetStateTo("recovered"));
                  stub(i, get(i.upstreamManifestPath()).inScenario("flaky").whenScenarioStateIs("recovered")
                      .willReturn(manifestResponse(i)));
                })
                .expect(served(2))
                .fix(i -> manifestStubs(i))),
        row("5b blob: 500 on every attempt",
            Row.blob("failing")
                .fault(i -> stub(i, get(i.upstreamBlobPath()).willReturn(aResponse().withStatus(500))))
                .expect(error(503, "UNAVAILABLE", 1 + RETRIES))
                .fix(PullThroughFaultsTest::blobStub)),
        row("6 blob: 429 with Retry-After: 1, then 200",
            Row.blob("limited")
                .fault(i -> {
                  stub(i, get(i.upstreamBlobPath()).inScenario("limited").whenScenarioStateIs(STARTED)
                      .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("open"));
                  stub(i, get(i.upstreamBlobPath()).inScenario("limited").whenScenarioStateIs("open")
                      .willReturn(blobResponse(i.blob())));
                })
                .expect(served(2))
                .also((i, r, took) -> assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(950)))
                .fix(PullThroughFaultsTest::blobStub)),
        row("6b blob: 429 asking for longer than wharf waits",
            Row.blob("refused")
                .fault(i -> stub(i, get(i.upstreamBlobPath())
                    .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120"))))
                .expect(error(429, "TOOMANYREQUESTS", 1))
                .also((i, r, took) -> assertThat(took).isLessThan(Duration.ofSeconds(2)))
                .fix(PullThroughFaultsTest::blobStub)),
        row("7 connection closed mid-blob, then a 206 to the Range request",
            Row.blob("dropped")
                .fault(i -> {
                  stub(i, get(i.upstreamBlobPath()).inScenario("dropped").whenScenarioStateIs(STARTED)
                      .willReturn(aResponse().withHeader("Content-Length", Integer.toString(BLOB_SIZE))
                          .withBody(Arrays.copyOf(i.blob(), CUT)))
                      .willSetStateTo("resumable"));
                  stub(i, get(i.upstreamBlobPath()).inScenario("dropped").whenScenarioStateIs("resumable")
                      .willReturn(blobResponse(i.blob()).withTransformers(ServesRanges.NAME)));
                })
                .expect(served(2))
                .also((i, r, took) -> assertThat(upstream.findAll(getRequestedFor(urlPathEqualTo(i.upstreamBlobPath()))
                    .withHeader("Range", equalTo("bytes=" + CUT + "-")))).hasSize(1))
                .fix(PullThroughFaultsTest::blobStub)),
        row("7b connection reset (RST) mid-blob, then a 206 to the Range request",
            Row.blob("reset")
                .fault(i -> {
                  relay.resetNextResponseAfter(CUT);
                  stub(i, get(i.upstreamBlobPath()).willReturn(blobResponse(i.blob())
                      .withTransformers(ServesRanges.NAME)));
                })
                .expect(served(2))
                .also((i, r, took) -> {
                  List<LoggedRequest> ranged = upstream.findAll(getRequestedFor(urlPathEqualTo(i.upstreamBlobPath()))
                      .withHeader("Range", matching("bytes=[1-9][0-9]*-")));
                  assertThat(ranged).hasSize(1);
                  long from = Long.parseLong(ranged.get(0).getHeader("Range").replaceAll("\\D", ""));
                  assertThat(from).isLessThanOrEqualTo(CUT);
                  assertThat(relay.connections()).isEqualTo(2);
                })
                .fix(PullThroughFaultsTest::blobStub)),
        row("8 upstream hangs: an unseen tag is a 503 in bounds, a cached tag is served stale",
            Row.manifest("hang")
                .fault(PullThroughFaultsTest::cacheThenHang)
                .expect(error(503, "UNAVAILABLE", 1))
                .also(PullThroughFaultsTest::cachedTagIsServedStale)
                .fix(i -> manifestStubs(i))),
        row("9 manifest 404, remembered for negativeCacheTtl",
            Row.manifest("missing")
                .fault(i -> stub(i, get(i.upstreamManifestPath()).willReturn(aResponse().withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"))))
                .expect(error(404, "MANIFEST_UNKNOWN", 1))
                .also((i, r, took) -> {
                  Response again = pull(i.wharfManifestPath());
                  assertThat(again.status()).isEqualTo(404);
                  assertThat(again.code()).isEqualTo("MANIFEST_UNKNOWN");
                  assertThat(upstreamCalls(i.upstreamManifestPath())).isEqualTo(1);
                })
                .fix(i -> manifestStubs(i))
                .recoversWithin(NEGATIVE_CACHE_TTL.plusSeconds(3))),
        row("10 blob of unknown length (chunked, no Content-Length), sent slowly",
            Row.blob("chunked")
                .fault(i -> stub(i, get(i.upstreamBlobPath())
                    .willReturn(aResponse().withBody(i.blob()).withChunkedDribbleDelay(8, 400))))
                .expect(served(1))
                .fix(PullThroughFaultsTest::blobStub)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void theClientGetsWhatTheRowSaysAndTheNextRequestRecovers(Row row) throws Exception {
    Image image = Image.of(row.name());
    row.fault().apply(image);

    long start = System.nanoTime();
    Response first = pull(row.wharfPath(image));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    Expect expect = row.expect();
    if (expect.status() == ABORTED) {
      assertThat(first.aborted()).as("the body was cut short: %s", first).isTrue();
    } else {
      assertThat(first.status()).as("%s", first).isEqualTo(expect.status());
      assertThat(first.aborted()).as("%s", first).isFalse();
      if (expect.status() == 200) {
        assertThat(first.body()).isEqualTo(row.content(image));
      } else {
        assertThat(first.code()).isEqualTo(expect.code());
      }
    }
    // a client may hold every verified byte before the commit (fsync, rename, index) has ended
    assertThat(expect.committed() ? eventuallyCommitted(row, image) : committed(row, image)).as("committed")
        .isEqualTo(expect.committed());
    if (!expect.committed() && row.kind() == Kind.BLOB) {
      assertThat(uploadsLeft(image)).as("temp files left").isEmpty();
    }
    assertThat(upstreamCalls(row.upstreamPath(image))).as("upstream calls").isEqualTo(expect.upstreamCalls());
    row.also().check(image, first, took);

    upstream.removeStubsByMetadata(matchingJsonPath("$.row", equalTo(image.name())));
    row.fix().apply(image);
    int getsBefore = upstreamGets(row.upstreamPath(image));
    Response next = row.recoversWithin().isZero()
        ? pull(row.wharfPath(image))
        : await().atMost(row.recoversWithin()).pollInterval(Duration.ofMillis(200))
            .until(() -> pull(row.wharfPath(image)), r -> r.status() == 200);
    assertThat(next.status()).as("the next request: %s", next).isEqualTo(200);
    assertThat(next.body()).isEqualTo(row.content(image));
    assertThat(eventuallyCommitted(row, image)).as("committed after recovery").isTrue();
    // nothing committed: the next request fetched anew, once; committed: it was served from disk
    assertThat(upstreamGets(row.upstreamPath(image)) - getsBefore).as("upstream GETs of the next request")
        .isEqualTo(expect.committed() ? 0 : 1);
  }

  // ---- row 1: tokens

  private static void tokenChallenge(Image i) {
    String challenge = "Bearer realm=\"http://127.0.0.1:" + upstream.port() + "/token\",service=\"wm\",scope=\"repository:library/"
        + i.name() + ":pull\"";
    String manifests = "/v2/library/" + i.name() + "/manifests/.*";
    ResponseDefinitionBuilder unauthorized = aResponse().withStatus(401).withHeader("WWW-Authenticate", challenge)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
    stub(i, get(urlPathMatching(manifests)).withHeader("Authorization", absent()).willReturn(unauthorized));
    stub(i, head(urlPathMatching(manifests)).withHeader("Authorization", absent()).willReturn(unauthorized));
    stub(i, get(urlPathMatching(manifests)).withHeader("Authorization", equalTo("Bearer t1")).willReturn(manifestResponse(i)));
    stub(i, head(urlPathMatching(manifests)).withHeader("Authorization", equalTo("Bearer t1")).willReturn(manifestHead(i)));
    stub(i, get(urlPathEqualTo("/token")).withQueryParam("service", equalTo("wm"))
        .withQueryParam("scope", equalTo("repository:library/" + i.name() + ":pull"))
        .willReturn(okJson("{\"token\":\"t1\",\"expires_in\":300}")));
  }

  private static void tokenIsReusedThenRefreshed(Image i, Response first, Duration took) throws Exception {
    RequestPatternBuilder tokenRequests = getRequestedFor(urlPathEqualTo("/token"));
    assertThat(upstream.findAll(tokenRequests)).hasSize(1);

    // within the token's lifetime: the tag check (tagTtl 0) carries the cached token, no /token
    assertThat(pull(i.wharfManifestPath()).status()).isEqualTo(200);
    assertThat(upstream.findAll(headRequestedFor(urlPathEqualTo(i.upstreamManifestPath()))
        .withHeader("Authorization", equalTo("Bearer t1")))).hasSize(1);
    assertThat(upstream.findAll(tokenRequests)).hasSize(1);

    // the upstream revokes t1: its 401 drops the cached token, a fresh one is fetched and works
    String manifests = "/v2/library/" + i.name() + "/manifests/.*";
    stub(i, get(urlPathMatching(manifests)).withHeader("Authorization", equalTo("Bearer t1")).atPriority(1)
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
            "Bearer realm=\"http://127.0.0.1:" + upstream.port() + "/token\",service=\"wm\",error=\"invalid_token\"")));
    stub(i, get(urlPathMatching(manifests)).withHeader("Authorization", equalTo("Bearer t2")).willReturn(manifestResponse(i)));
    stub(i, head(urlPathMatching(manifests)).withHeader("Authorization", equalTo("Bearer t2")).willReturn(manifestHead(i)));
    stub(i, get(urlPathEqualTo("/token")).atPriority(1).willReturn(okJson("{\"token\":\"t2\",\"expires_in\":1}")));
    assertThat(pull(i.wharfManifestPath("2")).status()).isEqualTo(200);
    assertThat(upstream.findAll(tokenRequests)).hasSize(2);
    assertThat(upstream.findAll(getRequestedFor(urlPathEqualTo(i.upstreamManifestPath("2")))
        .withHeader("Authorization", equalTo("Bearer t2")))).hasSize(1);

    // t2 lives 1 s (cached 0.8 s): once it expired, the next request fetches a token first. The
    // daemon's token cache runs on the system ticker, so this waits in real time.
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(250)).until(() -> {
      assertThat(pull(i.wharfManifestPath("3")).status()).isEqualTo(200);
      return upstream.findAll(tokenRequests).size() == 3;
    });
  }

  // ---- row 2: a redirect to a CDN

  private static void redirectToCdn(Image i) {
    String cdnPath = "/cdn/" + i.blobDigest().hex();
    stub(i, get(i.upstreamBlobPath()).withHeader("Authorization", absent())
        .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"wm\"")));
    stub(i, get(i.upstreamBlobPath()).withHeader("Authorization", equalTo(basic("robot", "s3cret")))
        .willReturn(aResponse().withStatus(307)
            .withHeader("Location", "http://127.0.0.1:" + cdn.port() + cdnPath + "?sig=abc")));
    cdn.stubFor(get(urlPathEqualTo(cdnPath)).willReturn(blobResponse(i.blob())));
  }

  private static void cdnGotNoAuthorization(Image i, Response first, Duration took) {
    assertThat(upstream.findAll(getRequestedFor(urlPathEqualTo(i.upstreamBlobPath()))
        .withHeader("Authorization", equalTo(basic("robot", "s3cret"))))).hasSize(1);
    List<LoggedRequest> atCdn = cdn.findAll(getRequestedFor(urlPathEqualTo("/cdn/" + i.blobDigest().hex())));
    assertThat(atCdn).hasSize(1);
    assertThat(atCdn.get(0).containsHeader("Authorization")).as("Authorization sent to the CDN").isFalse();
    assertThat(atCdn.get(0).queryParameter("sig").firstValue()).isEqualTo("abc");
  }

  // ---- row 8: a hanging upstream

  private static void cacheThenHang(Image i) {
    manifestStubs(i);
    Response cached;
    try {
      cached = pull(i.wharfManifestPath("cached"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(cached.status()).as("%s", cached).isEqualTo(200);
    // from now on it accepts and never answers in time
    int hang = (int) READ_TIMEOUT.multipliedBy(4).toMillis();
    stub(i, get(urlPathMatching("/v2/library/" + i.name() + "/manifests/.*")).atPriority(1)
        .willReturn(manifestResponse(i).withFixedDelay(hang)));
    stub(i, head(urlPathMatching("/v2/library/" + i.name() + "/manifests/.*")).atPriority(1)
        .willReturn(manifestHead(i).withFixedDelay(hang)));
  }

  private static void cachedTagIsServedStale(Image i, Response first, Duration took) throws Exception {
    assertThat(took).as("the unseen tag's 503").isLessThan(READ_TIMEOUT.plusSeconds(1));
    double staleBefore = metric("wharf_stale_served_total", "upstream", i.name());

    long start = System.nanoTime();
    Response stale = pull(i.wharfManifestPath("cached"));
    Duration staleTook = Duration.ofNanos(System.nanoTime() - start);

    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo(i.manifest());
    assertThat(staleTook).isLessThan(TAG_CHECK_TIMEOUT.plusSeconds(1));
    assertThat(upstream.findAll(headRequestedFor(urlPathEqualTo(i.upstreamManifestPath("cached"))))).hasSize(1);
    assertThat(metric("wharf_stale_served_total", "upstream", i.name())).isEqualTo(staleBefore + 1);
  }

  // ---- stubs

  /** Stubs at the upstream, tagged with the row so the fault can be removed alone. */
  private static void stub(Image i, MappingBuilder mapping) {
    upstream.stubFor(mapping.withMetadata(Map.of("row", i.name())));
  }

  /** A blob as a registry sends it: with its Content-Length (WireMock would chunk a large body). */
  private static ResponseDefinitionBuilder blobResponse(byte[] blob) {
    return aResponse().withHeader("Content-Length", Integer.toString(blob.length)).withBody(blob);
  }

  private static void blobStub(Image i) {
    stub(i, get(i.upstreamBlobPath()).willReturn(blobResponse(i.blob())));
  }

  private static void manifestStubs(Image i) {
    String manifests = "/v2/library/" + i.name() + "/manifests/.*";
    stub(i, get(urlPathMatching(manifests)).willReturn(manifestResponse(i)));
    stub(i, head(urlPathMatching(manifests)).willReturn(manifestHead(i)));
  }

  private static ResponseDefinitionBuilder manifestResponse(Image i) {
    return aResponse().withHeader("Content-Type", MediaTypes.OCI_MANIFEST)
        .withHeader("Docker-Content-Digest", i.manifestDigest().toString()).withBody(i.manifest());
  }

  private static ResponseDefinitionBuilder manifestHead(Image i) {
    return aResponse().withHeader("Content-Type", MediaTypes.OCI_MANIFEST)
        .withHeader("Docker-Content-Digest", i.manifestDigest().toString())
        .withHeader("Content-Length", Integer.toString(i.manifest().length));
  }

  // ---- observing wharf and the upstream

  private static int upstreamCalls(String path) {
    return upstream.findAll(anyRequestedFor(urlPathEqualTo(path))).size();
  }

  private static int upstreamGets(String path) {
    return upstream.findAll(getRequestedFor(urlPathEqualTo(path))).size();
  }

  /** Whether the row's content is committed, given a few seconds for a commit under way to end. */
  private static boolean eventuallyCommitted(Row row, Image i) {
    try {
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> indexed(row, i));
    } catch (org.awaitility.core.ConditionTimeoutException never) {
      // the assertion on what committed() says reports it
    }
    return committed(row, i);
  }

  private static boolean indexed(Row row, Image i) {
    Storage storage = wharf.registry().storage();
    return row.kind() == Kind.MANIFEST ? committed(row, i) : storage.blobs().find(i.blobDigest()).isPresent();
  }

  private static boolean committed(Row row, Image i) {
    Storage storage = wharf.registry().storage();
    if (row.kind() == Kind.MANIFEST) {
      // by tag: another tag of the row (row 8's "cached") may hold the same manifest
      return storage.tags().find(i.canonical(), Tag.parse("1")).isPresent()
          && storage.manifests().find(i.canonical(), i.manifestDigest()).isPresent();
    }
    boolean indexed = storage.blobs().find(i.blobDigest()).isPresent();
    boolean onDisk = Files.exists(storage.layout().blobData(i.blobDigest()));
    assertThat(onDisk).as("blob file on disk agrees with the index").isEqualTo(indexed);
    return indexed;
  }

  private static List<Path> uploadsLeft(Image i) throws IOException {
    Path uploads = wharf.registry().storage().layout().repository(i.canonical()).resolve("_uploads");
    if (!Files.exists(uploads)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(uploads)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private static double fetchFailures(String upstreamName, String reason) throws Exception {
    return metric("wharf_blob_fetch_failures_total", "upstream", upstreamName, "reason", reason);
  }

  /** A sample of wharf's {@code /metrics} with these label values; 0 when absent. */
  private static double metric(String name, String... labels) throws Exception {
    String text = new String(pull("/metrics").body(), UTF_8);
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + "{")) {
        continue;
      }
      boolean all = true;
      for (int k = 0; k < labels.length; k += 2) {
        all &= line.contains(labels[k] + "=\"" + labels[k + 1] + "\"");
      }
      if (all) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  /** A GET through wharf; a body that ends before its length is {@code aborted}, not an exception. */
  static Response pull(String path) throws InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(wharf.uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("Accept", String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST,
            MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST))
        .GET()
        .build();
    HttpResponse<InputStream> response;
    try {
      response = wharf.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      return new Response(0, new byte[0], true);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (InputStream in = response.body()) {
      in.transferTo(body);
    } catch (IOException e) {
      return new Response(response.statusCode(), body.toByteArray(), true);
    }
    return new Response(response.statusCode(), body.toByteArray(), false);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
  }

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  // ---- the row model

  /** The status a row expects when the response began (200 and its length) and was then cut short. */
  static final int ABORTED = -1;

  enum Kind { MANIFEST, BLOB }

  /**
   * What the client gets and what wharf did.
   *
   * @param status the HTTP status, or {@link #ABORTED}
   * @param code the OCI error code of an error status
   * @param upstreamCalls requests the upstream saw for the row's path (any method)
   */
  record Expect(int status, @Nullable String code, boolean committed, int upstreamCalls) {}

  static Expect served(int upstreamCalls) {
    return new Expect(200, null, true, upstreamCalls);
  }

  static Expect aborted(int upstreamCalls) {
    return new Expect(ABORTED, null, false, upstreamCalls);
  }

  static Expect error(int status, String code, int upstreamCalls) {
    return new Expect(status, code, false, upstreamCalls);
  }

  /** More checks of one row, after the table's; may send more requests. */
  interface Also {
    Also NONE = (i, r, t) -> {};

    void check(Image image, Response first, Duration took) throws Exception;
  }

  interface Stubs {
    void apply(Image image);
  }

  /**
   * One row: the upstream (and image) it uses, what it asks wharf for, the fault, the expectation,
   * and the stubs that remove the fault.
   */
  record Row(String name, Kind kind, Stubs fault, Expect expect, Also also, Stubs fix, Duration recoversWithin) {
    static Row manifest(String name) {
      return new Row(name, Kind.MANIFEST, i -> {}, null, Also.NONE, i -> {}, Duration.ZERO);
    }

    static Row blob(String name) {
      return new Row(name, Kind.BLOB, i -> {}, null, Also.NONE, i -> {}, Duration.ZERO);
    }

    Row fault(Stubs s) {
      return new Row(name, kind, s, expect, also, fix, recoversWithin);
    }

    Row expect(Expect e) {
      return new Row(name, kind, fault, e, also, fix, recoversWithin);
    }

    Row also(Also a) {
      return new Row(name, kind, fault, expect, a, fix, recoversWithin);
    }

    Row fix(Stubs s) {
      return new Row(name, kind, fault, expect, also, s, recoversWithin);
    }

    /** The fault outlives its removal this long (a negative cache); the next request is retried until then. */
    Row recoversWithin(Duration d) {
      return new Row(name, kind, fault, expect, also, fix, d);
    }

    String wharfPath(Image i) {
      return kind == Kind.MANIFEST ? i.wharfManifestPath() : i.wharfBlobPath();
    }

    String upstreamPath(Image i) {
      return kind == Kind.MANIFEST ? i.upstreamManifestPath() : i.upstreamBlobPath();
    }

    byte[] content(Image i) {
      return kind == Kind.MANIFEST ? i.manifest() : i.blob();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Arguments row(String title, Row row) {
    return Arguments.of(Named.of(title, row));
  }

  /**
   * The image of one row: {@code library/<name>} at the upstream, {@code /v2/<name>/library/<name>}
   * through wharf (the proxy project), stored as {@code <name>.test/library/<name>}; a blob of its
   * own and a manifest of its own (annotated with the name), tag {@code 1}.
   */
  record Image(String name, byte[] blob, Digest blobDigest, byte[] manifest, Digest manifestDigest) {
    static Image of(String name) {
      byte[] blob = bytes(BLOB_SIZE, name.hashCode());
      byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
          + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + CONFIG_DIGEST
          + "\",\"size\":" + CONFIG.length + "},\"layers\":[],\"annotations\":{\"row\":\"" + name + "\"}}").getBytes(UTF_8);
      return new Image(name, blob, Digest.sha256Of(blob), manifest, Digest.sha256Of(manifest));
    }

    RepositoryName canonical() {
      return RepositoryName.parse(name + ".test/library/" + name);
    }

    String wharfBlobPath() {
      return "/v2/" + name + "/library/" + name + "/blobs/" + blobDigest;
    }

    String upstreamBlobPath() {
      return "/v2/library/" + name + "/blobs/" + blobDigest;
    }

    String wharfManifestPath() {
      return wharfManifestPath("1");
    }

    String wharfManifestPath(String tag) {
      return "/v2/" + name + "/library/" + name + "/manifests/" + tag;
    }

    String upstreamManifestPath() {
      return upstreamManifestPath("1");
    }

    String upstreamManifestPath(String tag) {
      return "/v2/library/" + name + "/manifests/" + tag;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** What one request through wharf got. */
  record Response(int status, byte[] body, boolean aborted) {
    /** The first OCI error code of an error body, or null. */
    @Nullable String code() {
      try {
        return JSON.readTree(body).path("errors").path(0).path("code").asText(null);
      } catch (IOException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      String text = body.length < 400 ? new String(body, UTF_8) : body.length + " bytes";
      return "Response[" + status + (aborted ? ", aborted" : "") + ", " + text + "]";
    }
  }
}

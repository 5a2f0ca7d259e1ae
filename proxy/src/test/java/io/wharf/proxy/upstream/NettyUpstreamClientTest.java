package io.wharf.proxy.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.wharf.proxy.upstream.TestSupport.await;
import static io.wharf.proxy.upstream.TestSupport.bytes;
import static io.wharf.proxy.upstream.TestSupport.failure;
import static io.wharf.proxy.upstream.TestSupport.fast;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.upstream.TestSupport.CollectingSink;
import io.wharf.proxy.upstream.TestSupport.FakeTicker;
import io.wharf.proxy.upstream.TestSupport.RecordingSleeper;
import java.io.OutputStream;
import java.net.URI;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class NettyUpstreamClientTest {
  @RegisterExtension
  static final WireMockExtension upstream = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").http2PlainDisabled(true))
      .build();

  @RegisterExtension
  static final WireMockExtension cdn = WireMockExtension.newInstance()
      .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").http2PlainDisabled(true))
      .build();

  private static final String REPO = "library/alpine";
  private static final String MANIFEST_PATH = "/v2/library/alpine/manifests/latest";
  private static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}".getBytes(UTF_8);
  private static final byte[] BLOB = bytes(300_000, 1);
  private static final Digest BLOB_DIGEST = Digest.sha256Of(BLOB);
  private static final String BLOB_PATH = "/v2/library/alpine/blobs/" + BLOB_DIGEST;

  private final RecordingSleeper sleeper = new RecordingSleeper();
  private final FakeTicker ticker = new FakeTicker();
  private NettyUpstreamClient client;

  private NettyUpstreamClient client(String url, int retries) {
    return client(NettyUpstreamClient.builder(URI.create(url)), retries);
  }

  private NettyUpstreamClient client(NettyUpstreamClient.Builder b, int retries) {
    client = b.settings(fast(retries)).proxies(ProxySelection.none()).sleeper(sleeper).ticker(ticker).build();
    return client;
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  // ---- manifests

  @Test
  void getsManifestAskingWithTheFullAcceptSetAndIdentityEncoding() throws Exception {
    String digest = Digest.sha256Of(MANIFEST).toString();
    upstream.stubFor(get(MANIFEST_PATH).willReturn(aResponse()
        .withHeader("Content-Type", MediaTypes.OCI_MANIFEST + "; charset=utf-8")
        .withHeader("Docker-Content-Digest", digest)
        .withBody(MANIFEST)));

    FetchedManifest m = await(client(base(upstream), 0).getManifest(REPO, "latest"));

    assertThat(m.body()).isEqualTo(MANIFEST);
    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.digestHeader()).isEqualTo(digest);
    upstream.verify(getRequestedFor(urlPathEqualTo(MANIFEST_PATH))
        .withHeader("Accept", equalTo("application/vnd.oci.image.index.v1+json, "
            + "application/vnd.docker.distribution.manifest.list.v2+json, "
            + "application/vnd.oci.image.manifest.v1+json, "
            + "application/vnd.docker.distribution.manifest.v2+json"))
        .withHeader("Accept-Encoding", equalTo("identity"))
        .withHeader("Authorization", absent()));
  }

  @Test
  void headsManifestReturningDigestTypeAndSize() throws Exception {
    Digest digest = Digest.sha256Of(MANIFEST);
    upstream.stubFor(head(urlPathEqualTo(MANIFEST_PATH)).willReturn(aResponse()
        .withHeader("Content-Type", MediaTypes.OCI_INDEX)
        .withHeader("Docker-Content-Digest", digest.toString())
        .withHeader("Content-Length", "1234")));

    ManifestHead h = await(client(base(upstream), 0).headManifest(REPO, "latest"));

    assertThat(h).isEqualTo(new ManifestHead(digest, MediaTypes.OCI_INDEX, 1234));
    upstream.verify(headRequestedFor(urlPathEqualTo(MANIFEST_PATH))
        .withHeader("Accept", equalTo(NettyUpstreamClient.MANIFEST_ACCEPT)));
  }

  @Test
  void manifestLargerThanFourMebibytesIsInvalid() throws Exception {
    upstream.stubFor(get(MANIFEST_PATH).willReturn(aResponse()
        .withHeader("Content-Type", MediaTypes.OCI_MANIFEST)
        .withBody(new byte[(4 << 20) + 1])));

    OciException e = failure(client(base(upstream), 2).getManifest(REPO, "latest"));

    assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
    assertThat(sleeper.waits).isEmpty();
  }

  @Test
  void refusesAnInvalidNameWithoutAskingUpstream() throws Exception {
    OciException e = failure(client(base(upstream), 0).getManifest("Library/../x", "latest"));

    assertThat(e.error()).isEqualTo(OciError.NAME_INVALID);
    assertThat(upstream.getAllServeEvents()).isEmpty();
  }

  // ---- blobs

  @Test
  void streamsBlobToSlowSinkOneChunkAtATime() throws Exception {
    byte[] big = bytes(1 << 20, 2);
    Digest d = Digest.sha256Of(big);
    upstream.stubFor(get("/v2/library/alpine/blobs/" + d).willReturn(blob(big)));
    CollectingSink sink = new CollectingSink(1);

    await(client(base(upstream), 0).getBlob(REPO, d, 0, sink));

    assertThat(sink.bytes()).isEqualTo(big);
    assertThat(sink.begins).containsExactly(new long[] {0, big.length});
    assertThat(sink.writes.get()).isGreaterThan(1);
    assertThat(sink.maxOutstanding.get()).isEqualTo(1);
    upstream.verify(getRequestedFor(urlPathEqualTo("/v2/library/alpine/blobs/" + d))
        .withHeader("Range", absent())
        .withHeader("Accept-Encoding", equalTo("identity")));
  }

  @Test
  void resumesFromAnOffsetWithARangeRequest() throws Exception {
    upstream.stubFor(get(BLOB_PATH).withHeader("Range", equalTo("bytes=1000-")).willReturn(aResponse()
        .withStatus(206)
        .withHeader("Content-Range", "bytes 1000-" + (BLOB.length - 1) + "/" + BLOB.length)
        .withBody(java.util.Arrays.copyOfRange(BLOB, 1000, BLOB.length))));
    CollectingSink sink = new CollectingSink();

    await(client(base(upstream), 0).getBlob(REPO, BLOB_DIGEST, 1000, sink));

    assertThat(sink.begins).containsExactly(new long[] {1000, BLOB.length});
    assertThat(sink.bytes()).isEqualTo(java.util.Arrays.copyOfRange(BLOB, 1000, BLOB.length));
  }

  @Test
  void rangeAnsweredWithTheWholeBlobStartsTheSinkOver() throws Exception {
    upstream.stubFor(get(BLOB_PATH).willReturn(blob(BLOB)));
    CollectingSink sink = new CollectingSink();

    await(client(base(upstream), 0).getBlob(REPO, BLOB_DIGEST, 1000, sink));

    assertThat(sink.begins).containsExactly(new long[] {0, BLOB.length});
    assertThat(sink.bytes()).isEqualTo(BLOB);
  }

  @Test
  void stopsReadingTheSocketWhileTheSinkIsBusy() throws Exception {
    long size = 64L << 20;
    AtomicLong written = new AtomicLong();
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      OutputStream out = s.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n").getBytes(ISO_8859_1));
      byte[] chunk = new byte[64 * 1024];
      for (long n = 0; n < size; n += chunk.length) {
        out.write(chunk);
        written.addAndGet(chunk.length);
      }
      out.flush();
      Thread.sleep(5_000);
    })) {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      AtomicLong received = new AtomicLong();
      BlobSink sink = new BlobSink() {
        @Override
        public void begin(long start, long total) {}

        @Override
        public CompletionStage<Void> write(ByteBuf chunk) {
          received.addAndGet(chunk.readableBytes());
          return gate; // the first write holds until the test opens the gate; later ones pass at once
        }
      };

      CompletableFuture<Void> f = client(raw.url(), 0).getBlob(REPO, BLOB_DIGEST, 0, sink);
      Thread.sleep(1_000);
      long whileHeld = written.get();
      gate.complete(null);
      await(f);

      assertThat(whileHeld).as("bytes the upstream could send while the sink held").isLessThan(size / 2);
      assertThat(received.get()).isEqualTo(size);
    }
  }

  @Test
  void streamsAChunkedBlobOfUnknownLength() throws Exception {
    upstream.stubFor(get(BLOB_PATH).willReturn(aResponse().withHeader("Transfer-Encoding", "chunked").withBody(BLOB)));
    CollectingSink sink = new CollectingSink();

    await(client(base(upstream), 0).getBlob(REPO, BLOB_DIGEST, 0, sink));

    assertThat(sink.begins).containsExactly(new long[] {0, -1});
    assertThat(sink.bytes()).isEqualTo(BLOB);
  }

  @Test
  void aResetMidBodyFailsWithoutRetryOnceBytesReachedTheSink() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(ISO_8859_1));
      s.getOutputStream().write(new byte[1000]);
      s.getOutputStream().flush();
      Thread.sleep(200);
      s.setSoLinger(true, 0); // close with RST
    })) {
      CollectingSink sink = new CollectingSink();

      OciException e = failure(client(raw.url(), 2).getBlob(REPO, BLOB_DIGEST, 0, sink));

      assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
      assertThat(e.detail()).isIn("connection reset", "truncated");
      assertThat(sink.bytes()).hasSize(1000);
      assertThat(raw.connections()).isEqualTo(1);
      assertThat(sleeper.waits).isEmpty();
    }
  }

  @Test
  void aFailingSinkFailsTheFetchWithItsOwnError() throws Exception {
    upstream.stubFor(get(BLOB_PATH).willReturn(blob(BLOB)));
    IllegalStateException diskFull = new IllegalStateException("disk full");
    BlobSink sink = new BlobSink() {
      @Override
      public void begin(long start, long total) {}

      @Override
      public CompletionStage<Void> write(ByteBuf chunk) {
        return CompletableFuture.failedFuture(diskFull);
      }
    };

    CompletableFuture<Void> f = client(base(upstream), 2).getBlob(REPO, BLOB_DIGEST, 0, sink);

    assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isSameAs(diskFull);
    upstream.verify(1, getRequestedFor(urlPathEqualTo(BLOB_PATH)));
  }

  @Test
  void cancellingTheFutureClosesTheConnection() throws Exception {
    java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      if (s.getInputStream().read() < 0) {
        closed.countDown();
      }
    })) {
      CompletableFuture<FetchedManifest> f = client(raw.url(), 0).getManifest(REPO, "latest");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> raw.requestHeads().size() == 1);

      f.cancel(true);

      assertThat(closed.await(1, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aKeepAliveConnectionTheUpstreamClosedIsNotUsedAgain() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: " + MediaTypes.OCI_MANIFEST
          + "\r\nContent-Length: " + MANIFEST.length + "\r\n\r\n").getBytes(ISO_8859_1));
      s.getOutputStream().write(MANIFEST);
      s.getOutputStream().flush();
      Thread.sleep(50); // then the upstream's idle timeout closes it
    })) {
      NettyUpstreamClient c = client(raw.url(), 0);
      await(c.getManifest(REPO, "latest"));
      Thread.sleep(300);

      assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

      assertThat(raw.connections()).isEqualTo(2);
      assertThat(sleeper.waits).isEmpty();
    }
  }

  @Test
  void resendsOnceOnANewConnectionWhenAReusedOneClosesBeforeAnswering() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: " + MediaTypes.OCI_MANIFEST
          + "\r\nContent-Length: " + MANIFEST.length + "\r\n\r\n").getBytes(ISO_8859_1));
      s.getOutputStream().write(MANIFEST);
      s.getOutputStream().flush();
      srv.readHead(s); // the keep-alive race: the upstream gives up on the connection as the request arrives
    })) {
      NettyUpstreamClient c = client(raw.url(), 0);
      await(c.getManifest(REPO, "latest"));

      assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

      assertThat(raw.connections()).isEqualTo(2);
      assertThat(raw.requestHeads()).hasSize(3);
      assertThat(sleeper.waits).as("not counted as a retry").isEmpty();
    }
  }

  // ---- authentication

  private void stubTokenFlow(String scope, String token, int expiresIn) {
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", absent()).willReturn(aResponse()
        .withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"" + base(upstream) + "/token\",service=\"test-registry\",scope=\"" + scope + "\"")
        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));
    upstream.stubFor(get(urlPathEqualTo("/token"))
        .withQueryParam("service", equalTo("test-registry"))
        .withQueryParam("scope", equalTo(scope))
        .willReturn(okJson("{\"token\":\"" + token + "\",\"expires_in\":" + expiresIn + ",\"issued_at\":\"2020-01-01T00:00:00Z\"}")));
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", equalTo("Bearer " + token)).willReturn(aResponse()
        .withHeader("Content-Type", MediaTypes.OCI_MANIFEST).withBody(MANIFEST)));
  }

  @Test
  void answersABearerChallengeAndCachesTheToken() throws Exception {
    stubTokenFlow("repository:library/alpine:pull", "t1", 300);
    NettyUpstreamClient c = client(base(upstream), 0);

    assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);
    assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

    upstream.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    upstream.verify(1, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)).withHeader("Authorization", absent()));
    upstream.verify(2, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)).withHeader("Authorization", equalTo("Bearer t1")));
  }

  @Test
  void fetchesANewTokenOnceTheCachedOneExpired() throws Exception {
    stubTokenFlow("repository:library/alpine:pull", "t1", 300);
    NettyUpstreamClient c = client(base(upstream), 0);
    await(c.getManifest(REPO, "latest"));

    ticker.advance(Duration.ofSeconds(269));
    await(c.getManifest(REPO, "latest"));
    upstream.verify(1, getRequestedFor(urlPathEqualTo("/token")));

    ticker.advance(Duration.ofSeconds(2)); // 300 s less the 30 s margin is past
    await(c.getManifest(REPO, "latest"));
    upstream.verify(2, getRequestedFor(urlPathEqualTo("/token")));
    upstream.verify(1, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)).withHeader("Authorization", absent()));
  }

  @Test
  void replacesACachedTokenTheUpstreamRefusesOnce() throws Exception {
    stubTokenFlow("repository:library/alpine:pull", "t1", 300);
    NettyUpstreamClient c = client(base(upstream), 0);
    await(c.getManifest(REPO, "latest"));
    // the upstream revokes t1; the token endpoint now hands out t2
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", equalTo("Bearer t1")).willReturn(aResponse()
        .withStatus(401).withHeader("WWW-Authenticate", "Bearer realm=\"" + base(upstream) + "/token\",service=\"test-registry\"")));
    upstream.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"access_token\":\"t2\"}")));
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", equalTo("Bearer t2")).willReturn(aResponse()
        .withHeader("Content-Type", MediaTypes.OCI_MANIFEST).withBody(MANIFEST)));

    assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

    upstream.verify(2, getRequestedFor(urlPathEqualTo("/token")));
    upstream.verify(1, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)).withHeader("Authorization", equalTo("Bearer t2")));
  }

  @Test
  void a401ThatOutlastsAFreshTokenIsUnauthorized() throws Exception {
    // Docker Hub's answer for a repository that does not exist
    stubTokenFlow("repository:library/alpine:pull", "t1", 300);
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", equalTo("Bearer t1")).willReturn(aResponse()
        .withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"" + base(upstream) + "/token\",service=\"test-registry\",error=\"insufficient_scope\"")
        .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")));

    OciException e = failure(client(base(upstream), 3).getManifest(REPO, "latest"));

    assertThat(e.error()).isEqualTo(OciError.UNAUTHORIZED);
    assertThat(e.detail()).isEqualTo("upstream 401: UNAUTHORIZED: authentication required");
    upstream.verify(1, getRequestedFor(urlPathEqualTo("/token")));
    assertThat(sleeper.waits).isEmpty();
  }

  @Test
  void sendsCredentialsToTheTokenEndpoint() throws Exception {
    stubTokenFlow("repository:library/alpine:pull", "t1", 300);
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create(base(upstream))).credentials("alice", "s3cret"), 0);

    await(c.getManifest(REPO, "latest"));

    upstream.verify(getRequestedFor(urlPathEqualTo("/token")).withHeader("Authorization", equalTo(basic("alice", "s3cret"))));
  }

  @Test
  void answersABasicChallengeWithTheConfiguredCredentials() throws Exception {
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", absent()).willReturn(aResponse()
        .withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"registry\"")));
    upstream.stubFor(get(MANIFEST_PATH).withHeader("Authorization", equalTo(basic("alice", "s3cret"))).willReturn(aResponse()
        .withHeader("Content-Type", MediaTypes.OCI_MANIFEST).withBody(MANIFEST)));
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create(base(upstream))).credentials("alice", "s3cret"), 0);

    assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);
    assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

    upstream.verify(1, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)).withHeader("Authorization", absent()));
  }

  @Test
  void followsARedirectToACdnWithoutTheAuthorizationHeader() throws Exception {
    upstream.stubFor(get(BLOB_PATH).withHeader("Authorization", absent()).willReturn(aResponse()
        .withStatus(401).withHeader("WWW-Authenticate", "Bearer realm=\"" + base(upstream) + "/token\",service=\"test-registry\"")));
    upstream.stubFor(get(urlPathEqualTo("/token")).willReturn(okJson("{\"token\":\"secret-token\"}")));
    upstream.stubFor(get(BLOB_PATH).withHeader("Authorization", equalTo("Bearer secret-token")).willReturn(aResponse()
        .withStatus(307).withHeader("Location", base(cdn) + "/blobs/layer?sig=abc&expires=1")));
    cdn.stubFor(get(urlPathEqualTo("/blobs/layer")).willReturn(blob(BLOB)));
    CollectingSink sink = new CollectingSink();

    await(client(base(upstream), 0).getBlob(REPO, BLOB_DIGEST, 0, sink));

    assertThat(sink.bytes()).isEqualTo(BLOB);
    cdn.verify(1, getRequestedFor(urlPathEqualTo("/blobs/layer")).withQueryParam("sig", equalTo("abc")));
    cdn.verify(0, getRequestedFor(urlPathEqualTo("/blobs/layer")).withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.matching(".*")));
  }

  @Test
  void stopsAfterFiveRedirects() throws Exception {
    upstream.stubFor(get(BLOB_PATH).willReturn(aResponse().withStatus(302).withHeader("Location", BLOB_PATH)));

    OciException e = failure(client(base(upstream), 0).getBlob(REPO, BLOB_DIGEST, 0, new CollectingSink()));

    assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
    assertThat(e.detail()).isEqualTo("too many redirects");
    upstream.verify(6, getRequestedFor(urlPathEqualTo(BLOB_PATH)));
  }

  // ---- faults and retries

  @Test
  void aBlobBodyShorterThanItsLengthIsTruncated() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(ISO_8859_1));
      s.getOutputStream().write(new byte[100]);
      s.getOutputStream().flush();
    })) {
      CollectingSink sink = new CollectingSink();

      OciException e = failure(client(raw.url(), 2).getBlob(REPO, BLOB_DIGEST, 0, sink));

      assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
      assertThat(e.detail()).isEqualTo("truncated");
      assertThat(sink.bytes()).hasSize(100);
      assertThat(raw.connections()).as("bytes reached the sink: the caller resumes, no retry").isEqualTo(1);
    }
  }

  @Test
  void aTruncatedManifestIsRetried() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{}".getBytes(ISO_8859_1));
      s.getOutputStream().flush();
    })) {

      OciException e = failure(client(raw.url(), 2).getManifest(REPO, "latest"));

      assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
      assertThat(e.detail()).isEqualTo("truncated");
      assertThat(raw.connections()).isEqualTo(3);
      assertThat(sleeper.waits).hasSize(2);
    }
  }

  @Test
  void aResetBeforeAnyByteIsRetriedThenUnavailable() throws Exception {
    upstream.stubFor(get(BLOB_PATH).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    CollectingSink sink = new CollectingSink();

    OciException e = failure(client(base(upstream), 2).getBlob(REPO, BLOB_DIGEST, 0, sink));

    assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
    assertThat(e.detail()).isIn("connection reset", "stale connection");
    upstream.verify(3, getRequestedFor(urlPathEqualTo(BLOB_PATH)));
    assertThat(sleeper.waits).hasSize(2);
    assertThat(sleeper.waits.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sleeper.waits.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(sink.writes.get()).isZero();
  }

  @Test
  void aServerErrorThenSuccessSucceedsAfterOneRetry() throws Exception {
    upstream.stubFor(get(MANIFEST_PATH).inScenario("flaky").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
    upstream.stubFor(get(MANIFEST_PATH).inScenario("flaky").whenScenarioStateIs("up")
        .willReturn(aResponse().withHeader("Content-Type", MediaTypes.OCI_MANIFEST).withBody(MANIFEST)));

    assertThat(await(client(base(upstream), 2).getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

    upstream.verify(2, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)));
    assertThat(sleeper.waits).hasSize(1);
  }

  @Test
  void tooManyRequestsWaitsForRetryAfter() throws Exception {
    upstream.stubFor(get(MANIFEST_PATH).inScenario("limited").whenScenarioStateIs(STARTED)
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("ok"));
    upstream.stubFor(get(MANIFEST_PATH).inScenario("limited").whenScenarioStateIs("ok")
        .willReturn(aResponse().withHeader("Content-Type", MediaTypes.OCI_MANIFEST).withBody(MANIFEST)));

    assertThat(await(client(base(upstream), 2).getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);

    assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(1));
  }

  @Test
  void aRetryAfterBeyondTheCapFailsAtOnce() throws Exception {
    upstream.stubFor(get(MANIFEST_PATH).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));

    OciException e = failure(client(base(upstream), 2).getManifest(REPO, "latest"));

    assertThat(e.error()).isEqualTo(OciError.TOOMANYREQUESTS);
    assertThat(sleeper.waits).isEmpty();
    upstream.verify(1, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)));
  }

  @Test
  void aHangingUpstreamIsUnavailableWithinTheReadTimeout() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      srv.readHead(s);
      Thread.sleep(30_000);
    })) {
      client = NettyUpstreamClient.builder(URI.create(raw.url()))
          .settings(UpstreamClientSettings.of(Duration.ofSeconds(1), Duration.ofMillis(500), 2))
          .proxies(ProxySelection.none())
          .sleeper(sleeper)
          .build();
      long start = System.nanoTime();

      OciException e = failure(client.headManifest(REPO, "latest"));

      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
      assertThat(e.detail()).isEqualTo("read timeout");
      assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
      assertThat(raw.connections()).as("a read timeout is not retried").isEqualTo(1);
    }
  }

  @Test
  void aRefusedConnectionIsRetriedThenUnavailable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    OciException e = failure(client("http://127.0.0.1:" + port, 2).headManifest(REPO, "latest"));

    assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
    assertThat(e.detail()).isEqualTo("connect failed");
    assertThat(sleeper.waits).hasSize(2);
  }

  @Test
  void reusesAKeepAliveConnection() throws Exception {
    try (RawServer raw = new RawServer((s, srv) -> {
      while (true) {
        srv.readHead(s);
        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: " + MediaTypes.OCI_MANIFEST
            + "\r\nContent-Length: " + MANIFEST.length + "\r\n\r\n").getBytes(ISO_8859_1));
        s.getOutputStream().write(MANIFEST);
        s.getOutputStream().flush();
      }
    })) {
      NettyUpstreamClient c = client(raw.url(), 0);

      for (int i = 0; i < 3; i++) {
        assertThat(await(c.getManifest(REPO, "latest")).body()).isEqualTo(MANIFEST);
      }

      assertThat(raw.connections()).isEqualTo(1);
      assertThat(raw.requestHeads().get(0)).startsWith("GET /v2/library/alpine/manifests/latest HTTP/1.1\r\n")
          .contains("\r\nhost: 127.0.0.1:" + raw.port() + "\r\n".toLowerCase());
    }
  }

  // ---- status mapping: status, JSON body, what was asked -> error, detail, requests made (2 retries)

  static Stream<Arguments> statuses() {
    String manifestUnknown = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{}}]}";
    String nameUnknown = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}";
    return Stream.of(
        Arguments.of(404, manifestUnknown, "manifest", OciError.MANIFEST_UNKNOWN, "upstream 404: MANIFEST_UNKNOWN: manifest unknown", 1),
        Arguments.of(404, nameUnknown, "manifest", OciError.NAME_UNKNOWN, "upstream 404: NAME_UNKNOWN: repository name not known to registry", 1),
        Arguments.of(404, "", "blob", OciError.BLOB_UNKNOWN, "upstream 404", 1),
        Arguments.of(404, "<html>not found</html>", "head", OciError.MANIFEST_UNKNOWN, "upstream 404", 1),
        Arguments.of(401, "", "manifest", OciError.UNAUTHORIZED, "upstream 401", 1),
        Arguments.of(403, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"}]}", "blob", OciError.DENIED, "upstream 403: DENIED: no", 1),
        Arguments.of(400, "{\"errors\":[{\"code\":\"NAME_INVALID\",\"message\":\"bad name\"}]}", "manifest", OciError.NAME_INVALID, "upstream 400: NAME_INVALID: bad name", 1),
        Arguments.of(416, "", "blob", OciError.RANGE_INVALID, "upstream 416", 1),
        Arguments.of(418, "", "manifest", OciError.UNAVAILABLE, "upstream 418", 1),
        Arguments.of(429, "", "manifest", OciError.TOOMANYREQUESTS, "upstream 429", 3),
        Arguments.of(500, "", "blob", OciError.UNAVAILABLE, "upstream 500", 3),
        Arguments.of(503, "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"maintenance\"}]}", "manifest", OciError.UNAVAILABLE, "upstream 503: UNAVAILABLE: maintenance", 3),
        Arguments.of(503, "", "head", OciError.UNAVAILABLE, "upstream 503", 3));
  }

  @ParameterizedTest(name = "{0} on {2} -> {3}")
  @MethodSource("statuses")
  void mapsUpstreamStatuses(int status, String body, String what, OciError error, String detail, int requests) throws Exception {
    String path = what.equals("blob") ? BLOB_PATH : MANIFEST_PATH;
    com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder answer = aResponse().withStatus(status);
    if (!body.isEmpty()) {
      answer = answer.withHeader("Content-Type", "application/json").withBody(body);
    }
    upstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.any(urlPathEqualTo(path)).willReturn(answer));
    NettyUpstreamClient c = client(base(upstream), 2);

    CompletableFuture<?> f = switch (what) {
      case "blob" -> c.getBlob(REPO, BLOB_DIGEST, 0, new CollectingSink());
      case "head" -> c.headManifest(REPO, "latest");
      default -> c.getManifest(REPO, "latest");
    };
    OciException e = failure(f);

    assertThat(e.error()).isEqualTo(error);
    assertThat(e.detail()).isEqualTo(detail);
    assertThat(upstream.getAllServeEvents()).hasSize(requests);
  }

  /** The server's URL by IP literal (WireMock's baseUrl names localhost). */
  private static String base(WireMockExtension server) {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** A blob answer as registries send it: with its Content-Length (WireMock would chunk it). */
  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder blob(byte[] body) {
    return aResponse().withHeader("Content-Length", String.valueOf(body.length)).withBody(body);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
  }
}

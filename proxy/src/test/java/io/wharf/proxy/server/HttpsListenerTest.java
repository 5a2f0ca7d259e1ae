package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.oci.Digest;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import io.wharf.proxy.it.fixture.TestCa;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.net.ssl.SSLHandshakeException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener of a whole daemon (the test extension binds it on 127.0.0.1 with the
 * self-signed certificate wharf generates): blobs streamed through TLS byte-exact and counted by
 * the access log, the same routes as on HTTP, and TLS failures kept out of the warnings.
 */
final class HttpsListenerTest {
  @RegisterExtension static final WharfServerExtension wharf = new WharfServerExtension();

  private static final String REPO = "spectro-images/tls/blob";
  /** Several TLS chunks and a ragged end. */
  private static final byte[] BLOB = new byte[5 * 1024 * 1024 + 123];
  private static Digest digest;

  private final ListAppender<ILoggingEvent> access = new ListAppender<>();
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger(AccessLogHandler.LOGGER);
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private Level accessLevel;

  @BeforeAll
  static void storeABlob() {
    new Random(6).nextBytes(BLOB);
    digest = wharf.storeBlob(REPO, BLOB);
  }

  @BeforeEach
  void capture() {
    accessLevel = accessLogger.getLevel();
    accessLogger.setLevel(Level.INFO);
    access.start();
    accessLogger.addAppender(access);
    warnings.start();
    root.addAppender(warnings);
  }

  @AfterEach
  void release() {
    accessLogger.detachAppender(access);
    accessLogger.setLevel(accessLevel);
    root.detachAppender(warnings);
  }

  private static HttpResponse<byte[]> send(HttpClient client, URI uri, String method, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), BodyHandlers.ofByteArray());
  }

  private List<JsonNode> blobLines(Digest blob) {
    return access.list.stream()
        .map(e -> json(e.getFormattedMessage()))
        .filter(l -> l.path("uri").asText().endsWith("/blobs/" + blob))
        .toList();
  }

  @Test
  void aBlobComesWholeOverHttpsAndTheAccessLogCountsItsBytes() throws Exception {
    assertThat(wharf.httpsPort()).isPositive().isNotEqualTo(wharf.port());
    URI uri = wharf.httpsUri("/v2/" + REPO + "/blobs/" + digest);

    HttpResponse<byte[]> whole = send(wharf.httpsClient(), uri, "GET");
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.headers().firstValueAsLong("content-length")).hasValue(BLOB.length);
    assertThat(Digest.sha256Of(whole.body())).isEqualTo(digest);

    HttpResponse<byte[]> range = send(wharf.httpsClient(), uri, "GET", "Range", "bytes=1000000-3099999");
    assertThat(range.statusCode()).isEqualTo(206);
    assertThat(range.body()).isEqualTo(Arrays.copyOfRange(BLOB, 1_000_000, 3_100_000));

    HttpResponse<byte[]> head = send(wharf.httpsClient(), uri, "HEAD");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValueAsLong("content-length")).hasValue(BLOB.length);

    // only this blob's lines: a request of an earlier test may still be logged after the appender
    // was attached (the access log writes when a response is flushed, on the I/O thread)
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> blobLines(digest).size() >= 3);
    List<JsonNode> lines = blobLines(digest);
    assertThat(lines).extracting(l -> l.get("method").asText() + " " + l.get("status").asInt() + " " + l.get("bytes").asLong())
        .containsExactly("GET 200 " + BLOB.length, "GET 206 2100000", "HEAD 200 0");
    assertThat(warnings.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).isEmpty();
  }

  /**
   * An upload larger than the flow-control high mark through TLS: reads pause and resume under the
   * SslHandler as they do on plain HTTP, and every byte arrives. Pushed as the admin, with Basic
   * credentials over TLS.
   */
  @Test
  void aLargeUploadOverHttpsArrivesWhole() throws Exception {
    byte[] layer = new byte[24 * 1024 * 1024 + 7];
    new Random(61).nextBytes(layer);
    Digest layerDigest = Digest.sha256Of(layer);
    HttpResponse<byte[]> pushed = wharf.httpsClient().send(
        HttpRequest.newBuilder(wharf.httpsUri("/v2/spectro-images/tls/upload/blobs/uploads/?digest=" + layerDigest))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", TestAccess.adminBasic())
            .POST(HttpRequest.BodyPublishers.ofByteArray(layer))
            .build(),
        BodyHandlers.ofByteArray());
    assertThat(pushed.statusCode()).as(new String(pushed.body(), StandardCharsets.UTF_8)).isEqualTo(201);

    HttpResponse<byte[]> back = send(wharf.client(), wharf.uri("/v2/spectro-images/tls/upload/blobs/" + layerDigest), "GET");
    assertThat(back.statusCode()).isEqualTo(200);
    assertThat(Digest.sha256Of(back.body())).isEqualTo(layerDigest);
  }

  @Test
  void healthMetricsAndTheApiAnswerOnBothListeners() throws Exception {
    for (String path : List.of("/readyz", "/healthz", "/metrics", "/v2/")) {
      HttpResponse<byte[]> plain = send(wharf.client(), wharf.uri(path), "GET");
      HttpResponse<byte[]> tls = send(wharf.httpsClient(), wharf.httpsUri(path), "GET");
      assertThat(tls.statusCode()).as(path).isEqualTo(plain.statusCode());
      if (!path.equals("/v2/")) {
        assertThat(tls.statusCode()).as(path).isEqualTo(200);
      }
    }
    // the token realm a client is sent to is on the listener it came in on
    HttpResponse<byte[]> challenge = send(wharf.httpsClient(), wharf.httpsUri("/v2/"), "GET");
    assertThat(challenge.statusCode()).isEqualTo(401);
    assertThat(challenge.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(h -> assertThat(h).contains("realm=\"https://127.0.0.1:" + wharf.httpsPort() + "/service/token\""));
    HttpResponse<byte[]> loggedIn = send(wharf.httpsClient(), wharf.httpsUri("/v2/"), "GET", "Authorization", TestAccess.adminBasic());
    assertThat(loggedIn.statusCode()).isEqualTo(200);
  }

  @Test
  void plainHttpToTheHttpsPortAndUntrustingClientsAreDroppedWithoutAWarning() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), wharf.httpsPort())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).doesNotContain("HTTP/1.1"); // closed, no plain-text answer
    }
    HttpClient untrusting = HttpClient.newBuilder()
        .sslContext(TestCa.create("someone else").clientContext()).build();
    assertThatThrownBy(() -> send(untrusting, wharf.httpsUri("/v2/"), "GET")).isInstanceOf(SSLHandshakeException.class);

    // the server side of both failures is only a debug line
    Thread.sleep(300);
    assertThat(warnings.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  @Test
  void anHttpsPortInUseFailsTheStartNamingTheListenerAndReleasesTheHttpPort(@TempDir Path data) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int httpPort = probe.getLocalPort();
      probe.close();
      Map<String, String> env = Map.of(
          "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:" + httpPort,
          "WHARF_SERVER_HTTPS_LISTEN", "127.0.0.1:" + taken.getLocalPort(),
          "WHARF_STORAGE_PATH", data.resolve("data").toString(),
          "WHARF_AUTH_ADMIN_PASSWORD", TestAccess.ADMIN_PASSWORD);
      Path yaml = java.nio.file.Files.writeString(data.resolve("wharf.yaml"), WharfServerExtension.NO_UPSTREAMS);
      WharfConfig config = ConfigLoader.load(Optional.of(yaml), env);

      assertThatThrownBy(() -> Daemon.start(config, Map.of()))
          .hasMessageContaining("cannot listen on server.https.listen 127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("in use");
      try (ServerSocket again = new ServerSocket(httpPort, 1, InetAddress.getLoopbackAddress())) {
        assertThat(again.getLocalPort()).as("the HTTP listener was closed").isEqualTo(httpPort);
      }
    }
  }

  private static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }
}

package io.wharf.bench.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.bench.content.SyntheticBlob;
import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a scripted server: bodies counted and hashed, keep-alive, retries, streamed uploads. */
final class ConnectionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static BenchHttpClient client;

  @BeforeAll
  static void start() {
    client = new BenchHttpClient(2, Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  @Test
  void countsAndHashesABodyAndKeepsTheConnection() throws Exception {
    byte[] body = new byte[3 * 1024 * 1024 + 17];
    new SplittableRandom(7).nextBytes(body);
    try (var server = new RawHttpServer(req -> RawHttpServer.Answer.ok(body));
        Connection c = client.connect(server.url())) {
      Response hashed = c.sendSync(Request.get("/blob").hashing(), TIMEOUT);
      Response plain = c.sendSync(Request.get("/blob"), TIMEOUT);
      Response head = c.sendSync(Request.head("/blob"), TIMEOUT);

      assertThat(hashed.status()).isEqualTo(200);
      assertThat(hashed.bodyBytes()).isEqualTo(body.length);
      assertThat(hashed.sha256()).isEqualTo(sha256(body));
      assertThat(hashed.body()).as("nothing kept unless asked").isEmpty();
      assertThat(hashed.ttfbNanos()).isPositive().isLessThanOrEqualTo(hashed.totalNanos());
      assertThat(plain.bodyBytes()).isEqualTo(body.length);
      assertThat(plain.sha256()).isNull();
      assertThat(head.bodyBytes()).isZero();
      assertThat(head.contentLength()).isEqualTo(body.length);
      assertThat(server.connectionsAccepted()).as("one keep-alive connection").isEqualTo(1);
      assertThat(server.seen()).extracting(RawHttpServer.Seen::method).containsExactly("GET", "GET", "HEAD");
      assertThat(server.seen().get(0).headers()).containsKeys("host", "user-agent");
    }
  }

  @Test
  void speaksTlsToAnHttpsTargetWithASelfSignedCertificate() throws Exception {
    byte[] body = new byte[2 * 1024 * 1024 + 5];
    new SplittableRandom(11).nextBytes(body);
    try (var server = new RawHttpServer(req -> RawHttpServer.Answer.ok(body), SelfSignedTls.serverSockets());
        Connection c = client.connect(server.url())) {
      Response first = c.sendSync(Request.get("/blob").hashing(), TIMEOUT);
      Response second = c.sendSync(Request.get("/blob").hashing(), TIMEOUT);

      assertThat(server.url().getScheme()).isEqualTo("https");
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.sha256()).isEqualTo(sha256(body));
      assertThat(second.sha256()).isEqualTo(sha256(body));
      assertThat(server.connectionsAccepted()).as("one keep-alive TLS connection").isEqualTo(1);
    }
  }

  @Test
  void retriesOnAFreshConnectionWhenTheServerDroppedTheIdleOne() throws Exception {
    // every answer is followed by a silent close, as a server whose keep-alive timer fired
    try (var server = new RawHttpServer(req -> new RawHttpServer.Answer(
            "HTTP/1.1 200 OK\r\nContent-Length: 2", "ok".getBytes(), true));
        Connection c = client.connect(server.url())) {
      for (int i = 0; i < 3; i++) {
        Thread.sleep(50);
        assertThat(c.sendSync(Request.get("/x"), TIMEOUT).bodyBytes()).isEqualTo(2);
      }
      assertThat(server.connectionsAccepted()).isEqualTo(3);
    }
  }

  @Test
  void keepsTheStartOfAnErrorBody() throws Exception {
    byte[] error = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes();
    try (var server = new RawHttpServer(req -> new RawHttpServer.Answer(
            "HTTP/1.1 404 Not Found\r\nContent-Length: " + error.length, error, false));
        Connection c = client.connect(server.url())) {
      Response r = c.sendSync(Request.get("/missing"), TIMEOUT);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.describe()).isEqualTo("HTTP 404 {\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}");
    }
  }

  @Test
  void streamsAGeneratedBodyWithItsContentLength() throws Exception {
    SyntheticBlob blob = SyntheticBlob.named("upload", 5 * 1024 * 1024 + 3);
    try (var server = new RawHttpServer(req -> new RawHttpServer.Answer("HTTP/1.1 201 Created\r\nContent-Length: 0",
            new byte[0], false));
        Connection c = client.connect(server.url())) {
      Response r = c.sendSync(Request.of(HttpMethod.PUT, "/upload?digest=x").withBody(blob.body()), TIMEOUT);
      assertThat(r.status()).isEqualTo(201);
      RawHttpServer.Seen seen = server.seen().get(0);
      assertThat(seen.headers()).containsEntry("content-length", Long.toString(blob.size()));
      assertThat(seen.bodyLength()).isEqualTo(blob.size());
      assertThat(seen.bodySha256()).as("the bytes sent are the bytes hashed").isEqualTo(blob.digest());
    }
  }

  @Test
  void failsWhenTheServerClosesMidBody() throws Exception {
    try (var server = new RawHttpServer(req -> new RawHttpServer.Answer(
            "HTTP/1.1 200 OK\r\nContent-Length: 1000", new byte[10], true));
        Connection c = client.connect(server.url())) {
      assertThatThrownBy(() -> c.sendSync(Request.get("/short"), TIMEOUT))
          .isInstanceOf(IOException.class).hasMessageContaining("10 body bytes");
      assertThat(server.connectionsAccepted()).as("not retried once the response had begun").isEqualTo(1);
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}

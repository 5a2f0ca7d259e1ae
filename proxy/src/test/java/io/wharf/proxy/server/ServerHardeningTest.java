package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.route.AdminEndpoint;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.BodyLimits;
import io.wharf.proxy.route.Route;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's limits against hostile clients, on a real server on an ephemeral loopback port,
 * spoken to with raw sockets: header size and count (431), request line (414), slowloris (408),
 * the connection cap, and the body cap of each kind of route (413).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ServerHardeningTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Every request logs in as the admin: {@code /v2/} answers anonymous with 401. */
  private static final String AUTH = "Authorization: " + TestAccess.adminBasic() + "\r\n";

  @TempDir Path data;
  private LocalRegistry registry;
  private WharfMetrics metrics;
  private WharfServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  /** Starts a server with these {@code WHARF_SERVER_*} settings over the test defaults. */
  private int start(Map<String, String> settings) {
    Map<String, String> env = new HashMap<>(Map.of(
        "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:0",
        "WHARF_SERVER_HTTPS_LISTEN", "",
        "WHARF_STORAGE_PATH", data.toString(),
        "WHARF_SERVER_MAX_HEADER_SIZE", "4KiB",
        "WHARF_SERVER_MAX_HEADER_COUNT", "20",
        "WHARF_SERVER_HEADER_TIMEOUT", "2s"));
    env.putAll(settings);
    WharfConfig config = ConfigLoader.load(Optional.empty(), env);
    registry = LocalRegistry.open(config);
    metrics = new WharfMetrics();
    Routes routes = new Routes(
        registry.registry(), config.server().maxManifestSize().toIntExact(),
        Routes.Extras.of(metrics, Map::of), null, new CountingAdmin(), TestAccess.create(config, data));
    server = WharfServer.start(config.server(), routes, metrics);
    return server.port();
  }

  private int start() {
    return start(Map.of());
  }

  // --- header limits ---

  @Test
  void answers431ToHeadersOverTheSizeCapAndCloses() throws IOException {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      RawClient.Response r = client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "X-Big: " + "b".repeat(5000) + "\r\n\r\n");

      assertThat(r.status()).isEqualTo(431);
      assertOciError(r, "UNSUPPORTED");
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void answers431ToTooManyHeaderLinesAndCloses() throws IOException {
    int port = start();
    StringBuilder request = new StringBuilder("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH);
    for (int i = 0; i < 19; i++) {
      request.append("X-H").append(i).append(": v\r\n"); // 21 lines with Host and Authorization, cap 20
    }
    try (RawClient client = new RawClient(port)) {
      RawClient.Response r = client.exchange(request.append("\r\n").toString());

      assertThat(r.status()).isEqualTo(431);
      assertOciError(r, "UNSUPPORTED");
      assertThat(r.body()).contains("21 header lines");
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void servesARequestWithHeadersRightAtTheCaps() throws IOException {
    int port = start();
    StringBuilder request = new StringBuilder("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH);
    for (int i = 0; i < 18; i++) {
      request.append("X-H").append(i).append(": ").append("v".repeat(100)).append("\r\n");
    }
    try (RawClient client = new RawClient(port)) {
      assertThat(client.exchange(request.append("\r\n").toString()).status()).isEqualTo(200);
      assertThat(client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
    }
  }

  @Test
  void answers414ToAnOverlongRequestLineAndCloses() throws IOException {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      RawClient.Response r = client.exchange("GET /v2/" + "a".repeat(9000) + "/tags/list HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");

      assertThat(r.status()).isEqualTo(414);
      assertThat(JSON.readTree(r.body()).path("errors").get(0).path("code").asText()).isNotEmpty();
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  // --- slowloris ---

  @Test
  void answers408ToAClientTricklingItsHeadersWhileAnotherIsServed() throws Exception {
    int port = start(); // header timeout 2s
    try (RawClient slow = new RawClient(port); RawClient normal = new RawClient(port)) {
      long first = System.nanoTime();
      slow.send("G");
      AtomicReference<Exception> trickleEnded = new AtomicReference<>();
      Thread trickle = new Thread(() -> {
        try {
          for (char c : ("ET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: " + "s".repeat(100)).toCharArray()) {
            Thread.sleep(1000); // one byte a second
            slow.send(String.valueOf(c));
          }
        } catch (Exception e) {
          trickleEnded.set(e); // the server closed on it
        }
      }, "slowloris");
      trickle.setDaemon(true);
      trickle.start();

      // the other connection is served all along
      for (int i = 0; i < 5; i++) {
        assertThat(normal.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
        Thread.sleep(300);
      }

      RawClient.Response r = slow.read();
      double seconds = (System.nanoTime() - first) / 1e9;
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(seconds).isBetween(1.5, 4.0);
      assertThat(slow.closedByServer()).isTrue();
      trickle.join(5_000);
      assertThat(trickleEnded.get()).as("writes fail once the server closed").isNotNull();
      assertThat(normal.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
    }
  }

  @Test
  void answers408ToAConnectionThatSendsNothing() throws IOException {
    int port = start();
    try (RawClient silent = new RawClient(port)) {
      long opened = System.nanoTime();

      RawClient.Response r = silent.read();

      assertThat(r.status()).isEqualTo(408);
      assertThat((System.nanoTime() - opened) / 1e9).isBetween(1.5, 4.0);
      assertThat(silent.closedByServer()).isTrue();
    }
  }

  @Test
  void leavesAKeepAliveConnectionBetweenRequestsToTheIdleTimeout() throws Exception {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      assertThat(client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
      Thread.sleep(3_000); // past the header timeout, within the idle one

      assertThat(client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
    }
  }

  @Test
  void givesAnUploadBodyTheIdleTimeoutNotTheHeaderTimeout() throws Exception {
    int port = start();
    byte[] blob = "a body that trickles in, slower than the header timeout".getBytes(StandardCharsets.UTF_8);
    try (RawClient client = new RawClient(port)) {
      client.send("POST /v2/spectro-images/slow/blobs/uploads/?digest=" + sha256(blob) + " HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "Content-Length: " + blob.length + "\r\n\r\n");
      client.send(java.util.Arrays.copyOf(blob, 10));
      Thread.sleep(3_000);
      client.send(java.util.Arrays.copyOfRange(blob, 10, blob.length));

      assertThat(client.read().status()).isEqualTo(201);
    }
  }

  // --- connection cap ---

  @Test
  void closesAConnectionPastTheCapAtOnceAndFreesASlotOnClose() throws Exception {
    int port = start(Map.of("WHARF_SERVER_MAX_CONNECTIONS", "3"));
    List<RawClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawClient c = new RawClient(port);
        open.add(c);
        assertThat(c.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
      }

      try (RawClient fourth = new RawClient(port)) {
        fourth.readTimeout(1_000); // well within the header timeout, whose 408 would close it too
        long connected = System.nanoTime();
        assertThat(fourth.closedByServer()).as("the connection past the cap").isTrue();
        assertThat((System.nanoTime() - connected) / 1e9).isLessThan(1.0);
      }
      assertThat(metrics.scrape()).containsPattern("wharf_connections_refused_total(\\{[^}]*\\})? [1-9]")
          .containsPattern("wharf_connections_open(\\{[^}]*\\})? 3\\.0");

      open.remove(0).close();
      RawClient.Response served = null;
      for (int attempt = 0; attempt < 50 && served == null; attempt++) {
        RawClient c = new RawClient(port);
        try {
          served = c.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
          open.add(c);
        } catch (IOException refusedYet) {
          c.close();
          Thread.sleep(100); // the server has not seen the close yet
        }
      }
      assertThat(served).as("a slot freed by a closed connection").isNotNull();
      assertThat(served.status()).isEqualTo(200);
      for (RawClient c : open) {
        assertThat(c.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
      }
    } finally {
      for (RawClient c : open) {
        c.close();
      }
    }
  }

  // --- body caps ---

  @Test
  void refusesADeclaredBodyOnABodilessRouteOverTheSmallCap() throws IOException {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      RawClient.Response r = client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "Content-Length: 100000\r\n\r\n");

      assertThat(r.status()).isEqualTo(413);
      assertOciError(r, "SIZE_INVALID");
      assertThat(r.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void dropsASmallStrayBodyOnABodilessRouteAndKeepsTheConnection() throws IOException {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      assertThat(client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "Content-Length: 100\r\n\r\n" + "x".repeat(100)).status())
          .isEqualTo(200);
      assertThat(client.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n").status()).isEqualTo(200);
    }
  }

  @Test
  void closesWhenAChunkedBodyOnABodilessRouteGoesPastTheCap() throws IOException {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      client.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "Transfer-Encoding: chunked\r\n\r\n");
      assertThat(client.read().status()).isEqualTo(200); // answered at its headers
      try {
        for (int i = 0; i < 4; i++) {
          client.send(Integer.toHexString(4096) + "\r\n" + "x".repeat(4096) + "\r\n");
        }
      } catch (IOException closedMeanwhile) {
        // the server may close before the last chunk
      }

      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void capsAdminBodies() throws IOException {
    int port = start();
    try (RawClient client = new RawClient(port)) {
      RawClient.Response ok = client.exchange("POST /api/wharf/v1/echo HTTP/1.1\r\nHost: x\r\n" + AUTH + "Content-Type: application/json\r\n"
          + "Content-Length: 1000\r\n\r\n" + "{".repeat(1000));
      assertThat(ok.status()).isEqualTo(200);
      assertThat(JSON.readTree(ok.body()).path("bytes").asLong()).isEqualTo(1000);

      int over = (int) BodyLimits.ADMIN_JSON + 1;
      RawClient.Response declared = client.exchange("POST /api/wharf/v1/echo HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "Content-Length: " + over + "\r\n\r\n");
      assertThat(declared.status()).isEqualTo(413);
      assertOciError(declared, "SIZE_INVALID");
      assertThat(client.closedByServer()).isTrue();
    }
    try (RawClient client = new RawClient(port)) {
      client.send("POST /api/wharf/v1/echo HTTP/1.1\r\nHost: x\r\n" + AUTH + "Transfer-Encoding: chunked\r\n\r\n");
      RawClient.Response chunked = null;
      try {
        for (int i = 0; i < 20; i++) {
          client.send(Integer.toHexString(8192) + "\r\n" + "x".repeat(8192) + "\r\n");
        }
      } catch (IOException closedMeanwhile) {
        // refused part-way: the answer is waiting
      }
      chunked = client.read();
      assertThat(chunked.status()).isEqualTo(413);
      assertThat(chunked.header("connection")).isEqualToIgnoringCase("close");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void refusesAManifestOverItsCap() throws IOException {
    int port = start(Map.of("WHARF_SERVER_MAX_MANIFEST_SIZE", "16KiB"));
    try (RawClient client = new RawClient(port)) {
      RawClient.Response r = client.exchange("PUT /v2/spectro-images/m/manifests/v1 HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 20000\r\n\r\n");

      assertThat(r.status()).isEqualTo(413);
      assertOciError(r, "MANIFEST_INVALID");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void leavesUploadsUncapped() throws IOException {
    int port = start(Map.of("WHARF_SERVER_MAX_MANIFEST_SIZE", "16KiB"));
    byte[] blob = new byte[20 * 1024 * 1024];
    new java.util.Random(6).nextBytes(blob);
    try (RawClient client = new RawClient(port)) {
      client.send("POST /v2/spectro-images/big/blobs/uploads/?digest=" + sha256(blob) + " HTTP/1.1\r\nHost: x\r\n" + AUTH
          + "Content-Length: " + blob.length + "\r\n\r\n");
      client.send(blob);

      assertThat(client.read().status()).isEqualTo(201);
      client.send("HEAD /v2/spectro-images/big/blobs/" + sha256(blob) + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
      RawClient.Response head = client.read(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("content-length")).isEqualTo(Integer.toString(blob.length));
    }
  }

  private static void assertOciError(RawClient.Response r, String code) throws IOException {
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode error = JSON.readTree(r.body()).path("errors").get(0);
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotEmpty();
  }

  private static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An admin API whose one resource takes a body and answers how many bytes it had. */
  private static final class CountingAdmin implements AdminEndpoint {
    @Override
    public @Nullable BodyConsumer handle(Exchange exchange, Route route) {
      if (!route.method().equals(HttpMethod.POST)) {
        exchange.send(HttpResponseStatus.OK, Responses.headers(), Unpooled.EMPTY_BUFFER);
        return null;
      }
      return new BodyConsumer() {
        private long bytes;

        @Override
        public void content(ByteBuf content) {
          bytes += content.readableBytes();
        }

        @Override
        public void end() {
          byte[] body = ("{\"bytes\":" + bytes + "}").getBytes(StandardCharsets.UTF_8);
          exchange.send(HttpResponseStatus.OK,
              Responses.headers().set("Content-Type", Responses.JSON), Unpooled.wrappedBuffer(body));
        }

        @Override
        public void abort() {
          bytes = -1;
        }
      };
    }
  }
}

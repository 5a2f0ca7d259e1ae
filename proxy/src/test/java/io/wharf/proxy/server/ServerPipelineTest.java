package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.Routes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole connection pipeline in an {@link EmbeddedChannel}, over real storage: HTTP/1.1
 * framing, keep-alive, {@code 100 Continue}, decoder limits and the zero-copy body. Requests go
 * in as raw bytes and responses come out as the bytes a client would read.
 */
final class ServerPipelineTest {
  @TempDir static Path data;
  private static LocalRegistry registry;
  private static ServerInitializer initializer;

  /** Every request logs in as the admin: {@code /v2/} answers anonymous with 401. */
  private static final String AUTH = "Authorization: " + TestAccess.adminBasic() + "\r\n";

  private EmbeddedChannel channel;

  @BeforeAll
  static void open() {
    WharfConfig config = ConfigLoader.load(Optional.empty(), Map.of(
        "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:0",
        "WHARF_STORAGE_PATH", data.toString(),
        "WHARF_SERVER_MAX_HEADER_SIZE", "4KiB"));
    registry = LocalRegistry.open(config);
    Routes routes = new Routes(registry.registry(), config.server().maxManifestSize().toIntExact(), TestAccess.create(config, data));
    // the route "thread" is the test's own: every request runs to completion inside writeInbound
    initializer = new ServerInitializer(config.server(), new Router(), routes, () -> ImmediateEventExecutor.INSTANCE);
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  @BeforeEach
  void connect() {
    channel = new EmbeddedChannel();
    initializer.configure(channel.pipeline());
  }

  @AfterEach
  void disconnect() {
    channel.finishAndReleaseAll();
  }

  @Test
  void answersPipelinedRequestsInOrderOnOneConnection() {
    send("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nHEAD /v2/spectro-images/none/manifests/x HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n"
        + "GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");

    String out = received();
    assertThat(out.split("HTTP/1.1 ", -1)).hasSize(4);
    assertThat(out).startsWith("HTTP/1.1 200 OK");
    assertThat(out.indexOf("HTTP/1.1 404")).isGreaterThan(0).isLessThan(out.lastIndexOf("HTTP/1.1 200"));
    assertThat(out).doesNotContainIgnoringCase("connection: close").containsIgnoringCase("docker-distribution-api-version: registry/2.0");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void closesWhenTheClientAsksTo() {
    send("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "Connection: close\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void closesAnHttp10ConnectionWithoutKeepAlive() {
    send("GET /v2/ HTTP/1.0\r\n" + AUTH + "\r\n");

    assertThat(received()).contains(" 200 ").containsIgnoringCase("content-length: 2");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void refusesATooLongRequestLine() {
    send("GET /v2/" + "a".repeat(9000) + "/tags/list HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");

    String out = received();
    assertThat(out).startsWith("HTTP/1.1 414").contains("NAME_INVALID");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void refusesTooLargeHeaders() {
    send("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "X-Big: " + "b".repeat(5000) + "\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 431");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void refusesGarbage() {
    send("\u0001\u0002 nonsense\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 400");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void sendsContinueOnlyOnceTheRouteTakesTheBody() {
    byte[] blob = "streamed after 100 Continue".getBytes(StandardCharsets.UTF_8);
    send("POST /v2/spectro-images/pipe/blobs/uploads/?digest=" + sha256(blob) + " HTTP/1.1\r\nHost: x\r\n" + AUTH + ""
        + "Expect: 100-continue\r\nContent-Length: " + blob.length + "\r\n\r\n");
    assertThat(received()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");

    channel.writeInbound(Unpooled.wrappedBuffer(blob));

    assertThat(received()).startsWith("HTTP/1.1 201 Created").containsIgnoringCase("location: /v2/spectro-images/pipe/blobs/sha256:");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void refusesAHeldBackBodyWithoutContinueAndCloses() {
    send("PUT /v2/spectro-images/pipe/manifests/big HTTP/1.1\r\nHost: x\r\n" + AUTH + "Expect: 100-continue\r\n"
        + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 10000000\r\n\r\n");

    String out = received();
    assertThat(out).startsWith("HTTP/1.1 413").contains("MANIFEST_INVALID").doesNotContain("100 Continue");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void refusesADeclaredBodyOverTheRouteCapWithoutReadingItAndCloses() {
    send("PUT /v2/spectro-images/pipe/manifests/big HTTP/1.1\r\nHost: x\r\n" + AUTH
        + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: " + 5 * 1024 * 1024 + "\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 413").contains("MANIFEST_INVALID").containsIgnoringCase("connection: close");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void drainsTheBodyOfARefusedRequestAndKeepsTheConnection() {
    // an upload's body has no cap: one refused before it is read is read and dropped
    int size = 5 * 1024 * 1024;
    send("PATCH /v2/spectro-images/pipe/blobs/uploads/no-such-session HTTP/1.1\r\nHost: x\r\n" + AUTH
        + "Content-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n");
    assertThat(received()).startsWith("HTTP/1.1 404").contains("BLOB_UPLOAD_UNKNOWN");

    for (int sent = 0; sent < size; sent += 64 * 1024) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[Math.min(64 * 1024, size - sent)]));
    }
    send("GET /v2/ HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");

    assertThat(received()).startsWith("HTTP/1.1 200");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void refusesAnOversizedChunkedManifestAsItArrivesAndCloses() {
    send("PUT /v2/spectro-images/pipe/manifests/big HTTP/1.1\r\nHost: x\r\n" + AUTH + "Transfer-Encoding: chunked\r\n"
        + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n\r\n");
    String chunk = Integer.toHexString(1024 * 1024) + "\r\n" + " ".repeat(1024 * 1024) + "\r\n";
    for (int i = 0; i < 5 && channel.isOpen(); i++) {
      send(chunk);
    }

    String out = received();
    assertThat(out).startsWith("HTTP/1.1 413").contains("MANIFEST_INVALID").containsIgnoringCase("connection: close");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void servesABlobAsAFileRegion() {
    byte[] blob = "served with sendfile".getBytes(StandardCharsets.UTF_8);
    String digest = sha256(blob);
    send("POST /v2/spectro-images/pipe/blobs/uploads/?digest=" + digest + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "Content-Length: "
        + blob.length + "\r\n\r\n" + new String(blob, StandardCharsets.UTF_8));
    assertThat(received()).startsWith("HTTP/1.1 201");

    send("GET /v2/spectro-images/pipe/blobs/" + digest + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");

    boolean sawRegion = false;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      sawRegion |= msg instanceof FileRegion;
      append(out, msg);
    }
    assertThat(sawRegion).isTrue();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200").endsWith("served with sendfile");
  }

  private void send(String raw) {
    channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
  }

  private String received() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      append(out, msg);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static void append(ByteArrayOutputStream out, Object msg) {
    try {
      if (msg instanceof ByteBuf buf) {
        buf.readBytes(out, buf.readableBytes());
      } else if (msg instanceof FileRegion region) {
        region.transferTo(Channels.newChannel(out), 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

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
import io.wharf.proxy.upstream.UpstreamResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests through the whole pipeline with the upstream resolution of DESIGN.md's table applied
 * once before dispatch: a push through a local project to an upstream host lands under the
 * canonical name, pushes anywhere else upstream are denied, and an unconfigured registry is a fast
 * 404. Both upstreams point at a closed loopback port: nothing here can leave the machine.
 */
final class UpstreamRoutingTest {
  @TempDir static Path data;
  private static LocalRegistry registry;
  private static ServerInitializer initializer;

  private EmbeddedChannel channel;

  @BeforeAll
  static void open() throws IOException {
    String closed = "http://127.0.0.1:" + closedPort();
    Path yaml =
        Files.writeString(
            data.resolve("wharf.yaml"),
            """
            upstreams:
              - {name: dockerhub, host: docker.io, url: '%s', tagTtl: 5m}
              - {name: gcr, host: gcr.io, url: '%s', tagTtl: 5m}
            defaultUpstream: docker.io
            """
                .formatted(closed, closed));
    WharfConfig config =
        ConfigLoader.load(
            Optional.of(yaml),
            Map.of(
                "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:0",
                "WHARF_STORAGE_PATH", data.resolve("data").toString()));
    registry = LocalRegistry.open(config);
    Routes routes =
        new Routes(
            registry.registry(),
            config.server().maxManifestSize().toIntExact(),
            null,
            UpstreamResolver.of(config),
            null,
            TestAccess.create(config, data.resolve("data")));
    initializer =
        new ServerInitializer(config.server(), new Router(), routes, () -> ImmediateEventExecutor.INSTANCE);
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
  void aPushThroughALocalProjectToAnUpstreamHostLandsUnderTheCanonicalName() {
    String configJson = "{\"os\":\"linux\"}";
    String config = pushBlob("spectro-images/gcr.io/org/app", configJson);
    String layer = pushBlob("spectro-images/gcr.io/org/app", "layer bytes");
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + config
            + "\",\"size\":"
            + configJson.length()
            + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
            + "\"digest\":\""
            + layer
            + "\",\"size\":11}]}";

    Response put =
        send(
            "PUT",
            "/v2/spectro-images/gcr.io/org/app/manifests/v1",
            manifest,
            "Content-Type: application/vnd.oci.image.manifest.v1+json");

    assertThat(put.status).as(put.body).isEqualTo(201);
    assertThat(put.header("location")).isEqualTo("/v2/gcr.io/org/app/manifests/" + sha256(manifest));
    for (String route :
        new String[] {
          "/v2/gcr.io/org/app/manifests/v1",
          "/v2/gcr/org/app/manifests/v1",
          "/v2/spectro-images/gcr.io/org/app/manifests/v1",
          "/v2/org/app/manifests/v1?ns=gcr.io"
        }) {
      Response get = send("GET", route, null);
      assertThat(get.status).as(route + ": " + get.body).isEqualTo(200);
      assertThat(get.body).as(route).isEqualTo(manifest);
    }
    Response catalog = send("GET", "/v2/_catalog", null);
    assertThat(catalog.body).contains("\"gcr.io/org/app\"").doesNotContain("spectro-images/gcr.io");
  }

  @Test
  void pushesAnywhereButALocalProjectAreDenied() {
    for (String path :
        new String[] {
          "/v2/dockerhub/library/x/manifests/v1",
          "/v2/docker.io/library/x/manifests/v1",
          "/v2/library/x/manifests/v1",
          "/v2/library/x/manifests/v1?ns=docker.io",
          "/v2/quay.io/org/x/manifests/v1"
        }) {
      Response put = send("PUT", path, "{}", "Content-Type: application/vnd.oci.image.manifest.v1+json");
      assertThat(put.status).as(path).isEqualTo(403);
      assertThat(put.body).as(path).contains("\"DENIED\"").contains("pushes go to local projects");
    }
    Response upload = send("POST", "/v2/dockerhub/library/x/blobs/uploads/", "");
    assertThat(upload.status).isEqualTo(403);
  }

  @Test
  void anUnconfiguredRegistryIsAFast404ThatNeverDials() {
    long start = System.nanoTime();
    Response ns = send("GET", "/v2/library/nginx/manifests/latest?ns=unknown.example", null);
    Response host = send("GET", "/v2/quay.io/org/app/manifests/latest", null);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(ns.status).isEqualTo(404);
    assertThat(ns.body).contains("\"NAME_UNKNOWN\"").contains("unknown.example");
    assertThat(host.status).isEqualTo(404);
    assertThat(host.body).contains("\"NAME_UNKNOWN\"").contains("quay.io");
    assertThat(millis).isLessThan(1000);
  }

  private String pushBlob(String repo, String content) {
    String digest = sha256(content);
    Response r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content);
    assertThat(r.status).as(r.body).isEqualTo(201);
    return digest;
  }

  private Response send(String method, String target, String body, String... headers) {
    StringBuilder request = new StringBuilder();
    request.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: x\r\n");
    request.append("Authorization: ").append(TestAccess.adminBasic()).append("\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    if (body != null) {
      request.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length);
      request.append("\r\n");
    }
    request.append("\r\n").append(body == null ? "" : body);
    channel.writeInbound(Unpooled.copiedBuffer(request.toString(), StandardCharsets.UTF_8));
    channel.runPendingTasks();
    return Response.parse(received());
  }

  private String received() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
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
    return out.toString(StandardCharsets.UTF_8);
  }

  /** One response as a client reads it. */
  private record Response(int status, Map<String, String> headers, String body) {
    static Response parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      assertThat(end).as("a whole response head in: %s", raw).isPositive();
      String[] lines = raw.substring(0, end).split("\r\n");
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, raw.substring(end + 4));
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String sha256(String text) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

package io.wharf.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.route.Route;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.http.Exchange;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API on a real daemon, and its refusal of callers not on this host. */
final class AdminApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      upstreams:
        - {name: hub, host: docker.io, url: 'http://127.0.0.1:1', tagTtl: 1h}
      defaultUpstream: docker.io
      """);

  @Test
  void loopbackAddressesAreAllowedAndOthersAreNot() throws Exception {
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("127.0.0.1", 40000))).isTrue();
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("127.9.8.7", 40000))).isTrue();
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("::1", 40000))).isTrue();
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("::ffff:127.0.0.1", 40000))).isTrue();
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("10.0.0.7", 40000))).isFalse();
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("192.168.1.20", 40000))).isFalse();
    assertThat(AdminAccess.isLoopback(new InetSocketAddress("fe80::1", 40000))).isFalse();
    assertThat(AdminAccess.isLoopback(InetSocketAddress.createUnresolved("localhost", 1))).isFalse();
  }

  @Test
  void aCallerOnAnotherHostIsDeniedBeforeAnythingRuns() {
    // the request as the router reads it, on a connection from 10.1.2.3
    Route route = new Router().parse(HttpMethod.PUT, "/api/wharf/v1/pins?image=docker.io/library/app:1");
    assertThat(route.kind()).isEqualTo(Route.Kind.ADMIN);
    AdminApi api = new AdminApi(
        wharf.config(), new PinService(wharf.registry().storage(), wharf.config()),
        new PrefetchService(wharf.registry().registry(), wharf.config(), System::nanoTime), null,
        Executors.newSingleThreadExecutor(), Executors.newSingleThreadScheduledExecutor());
    Exchange exchange = exchangeFrom(new InetSocketAddress("10.1.2.3", 51234), route);

    assertThatThrownBy(() -> api.handle(exchange, route))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.DENIED);
          assertThat(e.status()).isEqualTo(403);
        })
        .hasMessageContaining("loopback")
        .hasMessageContaining("10.1.2.3");
  }

  @Test
  void statusAnswersTheCliProbe() throws IOException {
    HttpResponse<String> r = send("GET", "/api/wharf/v1/status");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("status").asText()).isEqualTo("ok");
    assertThat(body.path("data").asText()).isEqualTo(wharf.data().toString());
  }

  @Test
  void wrongMethodsUnknownPathsAndMissingArgumentsAreOciErrors() throws IOException {
    assertThat(send("POST", "/api/wharf/v1/status").statusCode()).isEqualTo(405);
    assertThat(send("PATCH", "/api/wharf/v1/pins").statusCode()).isEqualTo(405);
    HttpResponse<String> unknown = send("GET", "/api/wharf/v1/nothing");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("NAME_UNKNOWN");
    assertThat(send("PUT", "/api/wharf/v1/pins").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/api/wharf/v1/prefetch").statusCode()).isEqualTo(400);
  }

  @Test
  void aBadImageIsRefusedBeforeAStreamStarts() throws IOException {
    HttpResponse<String> r = send("POST", "/api/wharf/v1/prefetch?image=quay.io/org/app:1");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.body()).contains("NAME_UNKNOWN").contains("'quay.io'");
  }

  @Test
  void aPrefetchThatFailsEndsItsStreamWithAnErrorEvent() throws IOException {
    // docker.io is configured, but its url is a closed port and nothing is cached
    HttpResponse<String> r = send("POST", "/api/wharf/v1/prefetch?image=docker.io/library/absent:1");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(ProgressEvents.MEDIA_TYPE);
    String[] lines = r.body().split("\n");
    assertThat(JSON.readTree(lines[0]).path("event").asText()).isEqualTo("begin");
    JsonNode last = JSON.readTree(lines[lines.length - 1]);
    assertThat(last.path("event").asText()).isEqualTo("error");
    assertThat(last.path("code").asText()).isNotEmpty();
  }

  @Test
  void maintenanceRoutesRunTheStorageTasksAndRefuseARebuildUnderTheRunningDaemon() throws IOException {
    HttpResponse<String> images = send("GET", "/api/wharf/v1/images");
    assertThat(images.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(images.body()).path("images").isArray()).isTrue();

    JsonNode gc = lastEvent(send("POST", "/api/wharf/v1/gc?dryRun=true"));
    assertThat(gc.path("event").asText()).isEqualTo("summary");
    assertThat(gc.path("message").asText()).startsWith("dry run");

    JsonNode fsck = lastEvent(send("POST", "/api/wharf/v1/fsck"));
    assertThat(fsck.path("event").asText()).isEqualTo("summary");
    assertThat(fsck.path("counts").path("problems").asLong()).isZero();

    JsonNode rebuild = lastEvent(send("POST", "/api/wharf/v1/index/rebuild"));
    assertThat(rebuild.path("event").asText()).isEqualTo("error");
    assertThat(rebuild.path("code").asText()).isEqualTo("UNSUPPORTED");
    assertThat(rebuild.path("message").asText()).contains("stop the daemon");
  }

  private static JsonNode lastEvent(HttpResponse<String> r) throws IOException {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(ProgressEvents.MEDIA_TYPE);
    String[] lines = r.body().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static HttpResponse<String> send(String method, String path) throws IOException {
    try {
      return HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wharf.port() + path))
              .method(method, HttpRequest.BodyPublishers.noBody())
              .header("Authorization", TestAccess.adminBasic())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static Exchange exchangeFrom(SocketAddress remote, Route route) {
    Capture capture = new Capture();
    EmbeddedChannel channel = new EmbeddedChannel(capture) {
      @Override
      protected SocketAddress remoteAddress0() {
        return remote;
      }
    };
    assertThat(channel.remoteAddress()).isEqualTo(remote);
    return new Exchange(capture.ctx, new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, route.method(), route.path()));
  }

  private static final class Capture extends ChannelInboundHandlerAdapter {
    ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }
  }
}

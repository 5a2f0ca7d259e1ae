package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.upstream.BreakerState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics} through the whole connection pipeline in
 * an {@link EmbeddedChannel}, over real storage, and the access log counting every request.
 */
final class HealthRouteTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path data;
  private static WharfConfig config;
  private static LocalRegistry registry;
  private static AccessControl access;

  private final Map<String, BreakerState> upstreams = new LinkedHashMap<>();
  private final AtomicBoolean ready = new AtomicBoolean(true);
  private WharfMetrics metrics;
  private EmbeddedChannel channel;

  @BeforeAll
  static void open() {
    config = ConfigLoader.load(Optional.empty(), Map.of(
        "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:0",
        "WHARF_STORAGE_PATH", data.toString()));
    registry = LocalRegistry.open(config);
    access = TestAccess.create(config, data);
  }

  @AfterAll
  static void close() {
    registry.close();
  }

  @BeforeEach
  void connect() {
    metrics = new WharfMetrics();
    upstreams.put("quay", BreakerState.HEALTHY);
    upstreams.put("dockerhub", BreakerState.OFFLINE);
    upstreams.put("ghcr", BreakerState.DEGRADED);
    Routes.Extras extras = new Routes.Extras(metrics, () -> Map.copyOf(upstreams), ready::get);
    channel = pipeline(new Routes(registry.registry(), config.server().maxManifestSize().toIntExact(), extras, null, null, access));
  }

  @AfterEach
  void disconnect() {
    channel.finishAndReleaseAll();
    metrics.close();
  }

  @Test
  void healthzIsOkWheneverTheProcessAnswers() throws Exception {
    ready.set(false);
    String out = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(out).startsWith("HTTP/1.1 200 ").containsIgnoringCase("content-type: application/json")
        .containsIgnoringCase("cache-control: no-store");
    assertThat(JSON.readTree(body(out))).isEqualTo(JSON.readTree("{\"status\":\"ok\"}"));
  }

  @Test
  void readyzIsReadyWithOfflineUpstreamsAndShowsThemByName() throws Exception {
    String out = exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(out).startsWith("HTTP/1.1 200 ");
    assertThat(body(out)).isEqualTo(
        "{\"status\":\"ready\",\"upstreams\":{\"dockerhub\":\"offline\",\"ghcr\":\"degraded\",\"quay\":\"healthy\"}}");
  }

  @Test
  void readyzIsUnavailableWhenWharfCannotServe() throws Exception {
    ready.set(false);
    String out = exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(out).startsWith("HTTP/1.1 503 ");
    JsonNode body = JSON.readTree(body(out));
    assertThat(body.get("status").asText()).isEqualTo("unavailable");
    assertThat(body.get("upstreams").get("dockerhub").asText()).isEqualTo("offline");
  }

  @Test
  void headGetsTheHeadersOnly() {
    String out = exchange("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(out).startsWith("HTTP/1.1 200 ").containsIgnoringCase("content-length: 15").endsWith("\r\n\r\n");
  }

  @Test
  void otherMethodsAreRefused() {
    assertThat(exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).startsWith("HTTP/1.1 405 ");
    assertThat(exchange("DELETE /readyz HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 405 ");
  }

  @Test
  void metricsIsThePrometheusScrapeAndCountsEveryRequest() {
    exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: " + TestAccess.adminBasic() + "\r\n\r\n");
    exchange("GET /v2/spectro-images/none/manifests/latest HTTP/1.1\r\nHost: x\r\n\r\n");
    exchange("GET /v2/spectro-images/none/manifests/latest HTTP/1.1\r\nHost: x\r\n\r\n");

    String out = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(out).startsWith("HTTP/1.1 200 ")
        .containsIgnoringCase("content-type: text/plain; version=0.0.4; charset=utf-8");
    assertThat(body(out))
        .contains("wharf_requests_total{route=\"healthz\",status=\"200\"} 1.0")
        .contains("wharf_requests_total{route=\"base\",status=\"200\"} 1.0")
        .contains("wharf_requests_total{route=\"manifest\",status=\"404\"} 2.0")
        .contains("jvm_memory_used_bytes");
    // the scrape itself is counted once its response is written
    assertThat(metrics.scrape()).contains("wharf_requests_total{route=\"metrics\",status=\"200\"} 1.0");
  }

  @Test
  void withoutExtrasHealthStillAnswersAndMetricsIsUnknown() throws Exception {
    channel.finishAndReleaseAll();
    channel = pipeline(new Routes(registry.registry(), config.server().maxManifestSize().toIntExact(), access));

    assertThat(exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 404 ");
    assertThat(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    String ready = exchange("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(JSON.readTree(body(ready))).isEqualTo(JSON.readTree("{\"status\":\"ready\",\"upstreams\":{}}"));
  }

  private EmbeddedChannel pipeline(Routes routes) {
    // the route "thread" is the test's own: every request runs to completion inside writeInbound
    ServerInitializer initializer =
        new ServerInitializer(config.server(), new Router(), routes, () -> ImmediateEventExecutor.INSTANCE, metrics);
    EmbeddedChannel c = new EmbeddedChannel();
    initializer.configure(c.pipeline());
    return c;
  }

  private String exchange(String raw) {
    channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      try {
        if (msg instanceof ByteBuf buf) {
          buf.readBytes(out, buf.readableBytes());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }
}

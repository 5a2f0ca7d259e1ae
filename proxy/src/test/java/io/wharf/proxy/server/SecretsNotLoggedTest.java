package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.registry.LocalRegistry;
import io.wharf.proxy.route.Routes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * No secret a client sends reaches a log line: requests carrying passwords, tokens and cookies in
 * headers, query parameters and user info go through a real server while every logger, the access
 * log included, records at DEBUG; then no captured line (message, key-value pairs, exception)
 * holds any of them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class SecretsNotLoggedTest {
  private static final List<String> SECRETS = List.of(
      "Basic-Pa55word-1", "Bearer-Token-2", "Cookie-Secret-3", "Query-Password-4", "Query-Token-5",
      "Client-Secret-6", "Userinfo-Pass-7", "Oversized-Auth-8", "Counted-Auth-9");

  @TempDir Path data;
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger access = (Logger) LoggerFactory.getLogger(AccessLogHandler.LOGGER);
  private Level rootLevel;
  private Level accessLevel;
  private LocalRegistry registry;
  private WharfMetrics metrics;
  private WharfServer server;

  @BeforeEach
  void startCapturing() {
    rootLevel = root.getLevel();
    accessLevel = access.getLevel();
    root.setLevel(Level.DEBUG);
    access.setLevel(Level.DEBUG);
    captured.start();
    root.addAppender(captured);
    access.addAppender(captured); // the access log does not add up to the root's appenders
    WharfConfig config = ConfigLoader.load(Optional.empty(), Map.of(
        "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:0",
        "WHARF_SERVER_HTTPS_LISTEN", "",
        "WHARF_STORAGE_PATH", data.toString(),
        "WHARF_SERVER_MAX_HEADER_SIZE", "4KiB",
        "WHARF_SERVER_MAX_HEADER_COUNT", "20"));
    registry = LocalRegistry.open(config);
    metrics = new WharfMetrics();
    Routes routes = new Routes(registry.registry(), config.server().maxManifestSize().toIntExact(), Routes.Extras.of(metrics, Map::of),
        null, null, TestAccess.create(config, data));
    server = WharfServer.start(config.server(), routes, metrics);
  }

  @AfterEach
  void stop() {
    server.close();
    registry.close();
    metrics.close();
    root.detachAppender(captured);
    access.detachAppender(captured);
    root.setLevel(rootLevel);
    access.setLevel(accessLevel);
  }

  @Test
  void noSecretSentByAClientIsLogged() throws IOException {
    String basic = Base64.getEncoder().encodeToString("admin:Basic-Pa55word-1".getBytes(StandardCharsets.UTF_8));
    try (RawClient c = new RawClient(server.port())) {
      c.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + basic + "\r\n"
          + "Cookie: session=Cookie-Secret-3\r\n\r\n");
      c.exchange("GET /v2/spectro-images/app/manifests/latest HTTP/1.1\r\nHost: x\r\n"
          + "Authorization: Bearer Bearer-Token-2\r\n\r\n");
      c.exchange("GET /service/token?account=admin&service=wharf&password=Query-Password-4&token=Query-Token-5"
          + " HTTP/1.1\r\nHost: x\r\n\r\n");
      c.exchange("GET /v2/_catalog?n=5&client_secret=Client-Secret-6 HTTP/1.1\r\nHost: x\r\n\r\n");
      c.exchange("GET http://admin:Userinfo-Pass-7@wharf/v2/nope/tags/list HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    try (RawClient c = new RawClient(server.port())) {
      assertThat(c.exchange("GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Oversized-Auth-8\r\nX-Pad: "
          + "p".repeat(5000) + "\r\n\r\n").status()).isEqualTo(431);
    }
    try (RawClient c = new RawClient(server.port())) {
      StringBuilder many = new StringBuilder("GET /v2/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Counted-Auth-9\r\n");
      for (int i = 0; i < 30; i++) {
        many.append("X-").append(i).append(": v\r\n");
      }
      assertThat(c.exchange(many.append("\r\n").toString()).status()).isEqualTo(431);
    }
    server.close(); // every access line is written once its response is

    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : captured.list) {
      lines.add(render(e));
    }
    assertThat(String.join("\n", lines))
        .as("the capture works: the token request is in the access log, its password masked")
        .contains("/service/token?account=admin&service=wharf&password=REDACTED&token=REDACTED");
    for (String line : lines) {
      for (String secret : SECRETS) {
        assertThat(line).doesNotContain(secret);
      }
    }
  }

  private static String render(ILoggingEvent e) {
    StringBuilder b = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
    if (e.getKeyValuePairs() != null) {
      e.getKeyValuePairs().forEach(kv -> b.append(' ').append(kv.key).append('=').append(kv.value));
    }
    if (e.getArgumentArray() != null) {
      for (Object arg : e.getArgumentArray()) {
        b.append(' ').append(arg);
      }
    }
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      b.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return b.toString();
  }
}

package io.wharf.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.auth.AuditLog;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.AdminAccountConfig;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.server.WharfServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account resources of the admin API on a real server on loopback, over stores in a
 * temporary data folder: password reset, robots listed, created and deleted, the credential
 * changes announced, and the JSON body's checks and cap.
 */
final class AccountAdminTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final WharfServerExtension wharf = new WharfServerExtension();

  @TempDir Path data;
  private final AtomicInteger credentialChanges = new AtomicInteger();
  private final ExecutorService tasks = Executors.newSingleThreadExecutor();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private AdminPassword password;
  private RobotAccounts robots;
  private WharfServer server;
  private String login;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    tasks.shutdownNow();
    timer.shutdownNow();
  }

  @Test
  void resetAnswersANewPasswordThatReplacesTheOldAtOnce() throws IOException {
    start(new AdminAccountConfig(null));
    String old = AdminPassword.readPasswordFile(data).orElseThrow();

    HttpResponse<String> r = send("POST", "admin/password/reset", null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    String fresh = JSON.readTree(r.body()).path("password").asText();
    assertThat(fresh).matches("[0-9A-Za-z]{24}").isNotEqualTo(old);
    assertThat(password.matches(fresh)).isTrue();
    assertThat(password.matches(old)).isFalse();
    assertThat(AdminPassword.readPasswordFile(data)).contains(fresh);
    assertThat(credentialChanges).hasValue(1);
    // the old login was checked (and cached) for this very request: it fails from now on
    assertThat(send("GET", "robots", null, TestAccess.basic("admin", old)).statusCode()).isEqualTo(401);
    assertThat(send("GET", "robots", null, TestAccess.basic("admin", fresh)).statusCode()).isEqualTo(200);
  }

  @Test
  void resetIsDeniedWhenConfigOwnsThePassword() throws IOException {
    start(new AdminAccountConfig("from-config"));

    HttpResponse<String> r = send("POST", "admin/password/reset", null);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("DENIED").contains("auth.admin.password");
    assertThat(password.matches("from-config")).isTrue();
    assertThat(credentialChanges).hasValue(0);
  }

  @Test
  void robotsAreCreatedListedAndDeleted() throws IOException {
    start(new AdminAccountConfig(null));

    HttpResponse<String> created = send("POST", "robots",
        "{\"name\":\"ci\",\"grants\":{\"team\":[\"push\",\"pull\"]},\"expiresAt\":\"2030-01-01T02:00:00+02:00\"}");

    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode robot = JSON.readTree(created.body());
    String secret = robot.path("secret").asText();
    assertThat(robot.path("loginName").asText()).isEqualTo("robot$ci");
    assertThat(robot.path("grants").toString()).isEqualTo("{\"team\":[\"pull\",\"push\"]}");
    assertThat(robot.path("expiresAt").asText()).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(robots.check("robot$ci", secret, Instant.now())).isPresent();
    // the robot logs in (Basic on /v2/), and is no admin
    assertThat(v2(TestAccess.basic("robot$ci", secret))).isEqualTo(200);
    assertThat(send("GET", "robots", null, TestAccess.basic("robot$ci", secret)).statusCode()).isEqualTo(403);
    assertThat(send("POST", "robots", "{\"name\":\"reader\",\"grants\":{\"dockerhub\":[\"pull\"]}}").statusCode())
        .isEqualTo(201);

    HttpResponse<String> list = send("GET", "robots", null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).doesNotContain(secret).doesNotContain("$2y$");
    JsonNode listed = JSON.readTree(list.body()).path("robots");
    assertThat(listed).hasSize(2);
    assertThat(listed.get(0).path("name").asText()).isEqualTo("ci");
    assertThat(listed.get(0).path("expired").asBoolean()).isFalse();
    assertThat(listed.get(1).path("expiresAt").isNull()).isTrue();
    assertThat(credentialChanges).hasValue(0);

    HttpResponse<String> deleted = send("DELETE", "robots/ci", null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(JSON.readTree(deleted.body()).path("deleted").asBoolean()).isTrue();
    assertThat(credentialChanges).hasValue(1);
    assertThat(robots.check("robot$ci", secret, Instant.now())).isEmpty();
    assertThat(v2(TestAccess.basic("robot$ci", secret))).isEqualTo(401); // its cached login forgotten
    assertThat(RobotAccounts.open(data).list()).extracting(r -> r.name()).containsExactly("reader");

    HttpResponse<String> again = send("DELETE", "robots/ci", null);
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(again.body()).contains("NAME_UNKNOWN");
    assertThat(credentialChanges).hasValue(1);
  }

  @Test
  void badRobotRequestsAreClientErrors() throws IOException {
    start(new AdminAccountConfig(null));
    send("POST", "robots", "{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]}}");

    assertThat(send("POST", "robots", "not json").statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots", "[]").statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots", "").statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots", "{\"grants\":{\"team\":[\"pull\"]}}").body()).contains("\\\"name\\\"");
    assertThat(send("POST", "robots", "{\"name\":\"Bad!\",\"grants\":{\"team\":[\"pull\"]}}").body())
        .contains("NAME_INVALID");
    assertThat(send("POST", "robots", "{\"name\":\"x\",\"grants\":{\"team\":[\"fly\"]}}").statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots", "{\"name\":\"x\",\"grants\":[\"team\"]}").statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots", "{\"name\":\"x\",\"grants\":{}}").statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots", "{\"name\":\"x\",\"grants\":{\"team\":[\"pull\"]},\"expiresAt\":\"soon\"}")
        .statusCode()).isEqualTo(400);
    assertThat(send("POST", "robots",
        "{\"name\":\"x\",\"grants\":{\"team\":[\"pull\"]},\"expiresAt\":\"2001-01-01T00:00:00Z\"}").body())
        .contains("not in the future");
    HttpResponse<String> taken = send("POST", "robots", "{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]}}");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(send("DELETE", "robots/Not%20A%20Name", null).statusCode()).isEqualTo(400);
    assertThat(send("GET", "admin/password/reset", null).statusCode()).isEqualTo(405);
    assertThat(send("PUT", "robots", "{}").statusCode()).isEqualTo(405);
    assertThat(send("GET", "robots/ci", null).statusCode()).isEqualTo(405);
    assertThat(robots.list()).extracting(r -> r.name()).containsExactly("ci");
  }

  @Test
  void bodiesOverTheCapAre413WhetherDeclaredOrStreamed() throws IOException, InterruptedException {
    start(new AdminAccountConfig(null));
    String big = "{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]},\"pad\":\"" + "x".repeat(JsonBody.MAX_SIZE) + "\"}";

    assertThat(send("POST", "robots", big).statusCode()).isEqualTo(413);
    HttpResponse<String> chunked = http.send(
        HttpRequest.newBuilder(uri("robots"))
            .header("Authorization", TestAccess.basic("admin", login))
            .POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(robots.list()).isEmpty();
    // just under the cap is fine
    String fits = "{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]},\"pad\":\"";
    fits += "x".repeat(JsonBody.MAX_SIZE - fits.length() - 2) + "\"}";
    assertThat(send("POST", "robots", fits).statusCode()).isEqualTo(201);
  }

  @Test
  void adminApiCallsWithoutTheAdminAreRefused() throws IOException, InterruptedException {
    start(new AdminAccountConfig(null));
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(uri("admin/password/reset"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(send("POST", "admin/password/reset", null, TestAccess.basic("admin", "wrong")).statusCode()).isEqualTo(401);
    assertThat(credentialChanges).hasValue(0);
    assertThat(password.matches(login)).isTrue();
  }

  @Test
  void theDaemonServesTheAccountResources() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(wharf.uri("/api/wharf/v1/robots"))
            .header("Authorization", TestAccess.adminBasic())
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"daemon-ci\",\"grants\":{\"team\":[\"pull\"]}}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(RobotAccounts.file(wharf.data())).exists();
  }

  private int v2(String authorization) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/"))
          .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  // the real access layer over these stores: the admin API answers the admin only
  private void start(AdminAccountConfig config) {
    password = AdminPassword.open(data, config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    robots = RobotAccounts.open(data);
    login = config.password() != null ? config.password() : AdminPassword.readPasswordFile(data).orElseThrow();
    AccessControl access = AccessControl.create(
        wharf.config(), password, robots, AuditLog.open(data, Clock.systemUTC()), Clock.systemUTC());
    AdminApi api = new AdminApi(
        wharf.config(), new PinService(wharf.registry().storage(), wharf.config()),
        new PrefetchService(wharf.registry().registry(), wharf.config(), System::nanoTime), null,
        tasks, timer, password, robots, () -> {
          credentialChanges.incrementAndGet();
          access.credentialsChanged();
        });
    Routes routes = new Routes(wharf.registry().registry(), 4 << 20, null, null, api, access);
    server = WharfServer.start(wharf.config().server(), routes, null);
  }

  private HttpResponse<String> send(String method, String path, String body) throws IOException {
    return send(method, path, body, TestAccess.basic("admin", login));
  }

  private HttpResponse<String> send(String method, String path, String body, String authorization) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
        .header("Authorization", authorization)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + "/api/wharf/v1/" + path);
  }
}

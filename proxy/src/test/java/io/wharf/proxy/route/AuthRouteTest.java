package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.auth.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The access layer over a real wharf on loopback, as Docker clients meet it: anonymous pulls, the
 * Bearer challenge, the token flow, a robot's limits, a project without anonymous pulls, the
 * catalog and the admin API, throttling, mounts, and the audit log.
 */
final class AuthRouteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      projects:
        - {name: spectro-images, type: local}
        - {name: private, type: local, anonymousPull: false}
      upstreams: []
      defaultUpstream: ""
      """);

  private static String admin;
  private static String reader;
  private static String pusher;

  @BeforeAll
  static void accounts() throws IOException {
    admin = TestAccess.adminBasic();
    reader = TestAccess.basic("robot$reader", createRobot("reader", "{\"spectro-images\":[\"pull\"]}"));
    pusher = TestAccess.basic("robot$pusher", createRobot("pusher", "{\"spectro-images\":[\"pull\",\"push\"]}"));
    pushImage("spectro-images/app", "v1", admin);
    pushImage("private/app", "v1", admin);
  }

  @Test
  void anyonePullsFromAProjectThatAllowsIt() {
    HttpResponse<String> manifest = send("GET", "/v2/spectro-images/app/manifests/v1", null, null);
    assertThat(manifest.statusCode()).as(manifest.body()).isEqualTo(200);
    HttpResponse<String> tags = send("GET", "/v2/spectro-images/app/tags/list", null, null);
    assertThat(tags.statusCode()).isEqualTo(200);
  }

  @Test
  void anAnonymousPushGetsTheBearerChallengeForPullAndPush() {
    HttpResponse<String> upload = send("POST", "/v2/spectro-images/app/blobs/uploads/", null, "");
    HttpResponse<String> manifest = send("PUT", "/v2/spectro-images/app/manifests/v2", null, "{}");
    HttpResponse<String> delete = send("DELETE", "/v2/spectro-images/app/manifests/v1", null, null);

    assertThat(upload.statusCode()).isEqualTo(401);
    assertThat(upload.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"http://127.0.0.1:" + wharf.port()
        + "/service/token\",service=\"wharf\",scope=\"repository:spectro-images/app:pull,push\"");
    assertThat(upload.body()).contains("\"UNAUTHORIZED\"");
    assertThat(manifest.statusCode()).isEqualTo(401);
    assertThat(challenge(manifest)).endsWith(",scope=\"repository:spectro-images/app:pull,push\"");
    assertThat(delete.statusCode()).isEqualTo(401);
    assertThat(challenge(delete)).endsWith(",scope=\"repository:spectro-images/app:delete\"");
  }

  @Test
  void theBaseAnswersAnonymousWithTheChallengeAndAnyAccountWith200() {
    HttpResponse<String> anonymous = send("GET", "/v2/", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(challenge(anonymous)).isEqualTo("Bearer realm=\"http://127.0.0.1:" + wharf.port() + "/service/token\",service=\"wharf\"");

    assertThat(send("GET", "/v2/", admin, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/", reader, null).statusCode()).isEqualTo(200);
    HttpResponse<String> wrong = send("GET", "/v2/", TestAccess.basic("admin", "not-the-password"), null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> control = send("POST", "/service/token", null,
        "grant_type=password&username=admin%0A&password=x&service=wharf", "Content-Type", "application/x-www-form-urlencoded");
    assertThat(control.statusCode()).as("held to what Basic credentials may hold").isEqualTo(401);
    assertThat(challenge(wrong)).startsWith("Bearer realm=");
    assertThat(send("GET", "/v2/", "Digest username=\"admin\"", null).statusCode()).isEqualTo(401);
    // the open endpoints never look at credentials
    assertThat(send("GET", "/healthz", TestAccess.basic("admin", "not-the-password"), null).statusCode()).isEqualTo(200);
  }

  @Test
  void aTokenFromTheTokenEndpointPushesWhatItGrantsAndNothingElse() throws IOException {
    HttpResponse<String> r = send("GET", tokenPath("repository:spectro-images/flow:pull,push"), admin, null);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonNode body = JSON.readTree(r.body());
    String token = body.path("token").asText();
    assertThat(body.path("access_token").asText()).isEqualTo(token);
    assertThat(body.path("expires_in").asLong()).isBetween(300L, 301L);
    assertThat(Instant.parse(body.path("issued_at").asText())).isBefore(Instant.now().plusSeconds(1));
    String bearer = "Bearer " + token;

    pushImage("spectro-images/flow", "v1", bearer);
    assertThat(send("GET", "/v2/", bearer, null).statusCode()).isEqualTo(200);
    HttpResponse<String> elsewhere = send("POST", "/v2/spectro-images/elsewhere/blobs/uploads/", bearer, "");
    assertThat(elsewhere.statusCode()).isEqualTo(401);
    assertThat(challenge(elsewhere)).endsWith("scope=\"repository:spectro-images/elsewhere:pull,push\",error=\"insufficient_scope\"");
    HttpResponse<String> forged = send("GET", "/v2/", "Bearer " + token.substring(0, token.length() - 4) + "AAAA", null);
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(challenge(forged)).startsWith("Bearer realm=");
  }

  @Test
  void theOAuthFormOfTheTokenEndpointAnswersWhatContainerdPostsFirst() throws IOException {
    String pusherSecret = createRobot("former", "{\"spectro-images\":[\"pull\",\"push\"]}");
    // containerd's FetchTokenWithOAuth: the realm's URL, a form, scopes space-separated
    String form = "grant_type=password&service=wharf&client_id=containerd-client&access_type=online"
        + "&username=" + URLEncoder.encode("robot$former", StandardCharsets.UTF_8)
        + "&password=" + URLEncoder.encode(pusherSecret, StandardCharsets.UTF_8)
        + "&scope=" + URLEncoder.encode("repository:spectro-images/form:pull,push repository:spectro-images/app:pull",
            StandardCharsets.UTF_8);
    HttpResponse<String> r = send("POST", "/service/token", null, form, "Content-Type", "application/x-www-form-urlencoded");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    String bearer = "Bearer " + JSON.readTree(r.body()).path("access_token").asText();
    pushImage("spectro-images/form", "v1", bearer);
    assertThat(send("GET", "/v2/spectro-images/app/manifests/v1", bearer, null).statusCode()).isEqualTo(200);

    HttpResponse<String> refresh = send("POST", "/service/token", null,
        "grant_type=refresh_token&refresh_token=x&service=wharf", "Content-Type", "application/x-www-form-urlencoded");
    assertThat(refresh.statusCode()).as("no refresh tokens: containerd then asks with GET").isEqualTo(400);
    HttpResponse<String> wrong = send("POST", "/service/token", null,
        "grant_type=password&username=admin&password=wrong&service=wharf", "Content-Type", "application/x-www-form-urlencoded");
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> control = send("POST", "/service/token", null,
        "grant_type=password&username=admin%0A&password=x&service=wharf", "Content-Type", "application/x-www-form-urlencoded");
    assertThat(control.statusCode()).as("held to what Basic credentials may hold").isEqualTo(401);
    HttpResponse<String> big = send("POST", "/service/token", null, "grant_type=password&x=" + "a".repeat(TokenRoute.MAX_FORM),
        "Content-Type", "application/x-www-form-urlencoded");
    assertThat(big.statusCode()).isEqualTo(413);
  }

  @Test
  void anAnonymousTokenPullsButNeverPushes() throws IOException {
    HttpResponse<String> r = send("GET", tokenPath("repository:spectro-images/app:pull,push"), null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    String bearer = "Bearer " + JSON.readTree(r.body()).path("token").asText();

    assertThat(send("GET", "/v2/spectro-images/app/manifests/v1", bearer, null).statusCode()).isEqualTo(200);
    HttpResponse<String> push = send("POST", "/v2/spectro-images/app/blobs/uploads/", bearer, "");
    assertThat(push.statusCode()).isEqualTo(401);
    assertThat(challenge(push)).doesNotContain("insufficient_scope");
    assertThat(send("GET", "/service/token?scope=repository:Bad:pull", null, null).statusCode()).isEqualTo(400);
    assertThat(send("POST", "/service/token", admin, "").statusCode()).as("an OAuth2 form without grant_type").isEqualTo(400);
    assertThat(send("GET", tokenPath("repository:a:pull"), TestAccess.basic("admin", "wrong"), null).statusCode()).isEqualTo(401);
  }

  @Test
  void aRobotWithPullOnlyIsDeniedPushByBasicAndByToken() throws IOException {
    HttpResponse<String> basicPush = send("POST", "/v2/spectro-images/app/blobs/uploads/", reader, "");
    assertThat(basicPush.statusCode()).isEqualTo(403);
    assertThat(basicPush.body()).contains("\"DENIED\"");
    assertThat(send("GET", "/v2/spectro-images/app/manifests/v1", reader, null).statusCode()).isEqualTo(200);

    HttpResponse<String> r = send("GET", tokenPath("repository:spectro-images/app:pull,push"), reader, null);
    String bearer = "Bearer " + JSON.readTree(r.body()).path("token").asText();
    HttpResponse<String> tokenPush = send("POST", "/v2/spectro-images/app/blobs/uploads/", bearer, "");
    assertThat(tokenPush.statusCode()).isEqualTo(403);
    assertThat(send("GET", "/v2/spectro-images/app/manifests/v1", bearer, null).statusCode()).isEqualTo(200);

    // and a robot that may push, pushes
    pushImage("spectro-images/by-robot", "v1", pusher);
  }

  @Test
  void aProjectWithoutAnonymousPullsAsksAnonymousToLogIn() throws IOException {
    HttpResponse<String> anonymous = send("GET", "/v2/private/app/manifests/v1", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(challenge(anonymous)).endsWith("scope=\"repository:private/app:pull\"");

    HttpResponse<String> r = send("GET", tokenPath("repository:private/app:pull"), null, null);
    String anonymousToken = "Bearer " + JSON.readTree(r.body()).path("token").asText();
    assertThat(send("GET", "/v2/private/app/manifests/v1", anonymousToken, null).statusCode()).isEqualTo(401);

    assertThat(send("GET", "/v2/private/app/manifests/v1", admin, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/private/app/manifests/v1", reader, null).statusCode()).isEqualTo(403);
  }

  @Test
  void theCatalogAndTheAdminApiAreTheAdmins() {
    HttpResponse<String> anonymous = send("GET", "/v2/_catalog", null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(challenge(anonymous)).endsWith("scope=\"registry:catalog:*\"");
    assertThat(send("GET", "/v2/_catalog", reader, null).statusCode()).isEqualTo(403);
    HttpResponse<String> catalog = send("GET", "/v2/_catalog", admin, null);
    assertThat(catalog.statusCode()).isEqualTo(200);
    assertThat(catalog.body()).contains("spectro-images/app").contains("private/app");

    HttpResponse<String> api = send("GET", "/api/wharf/v1/robots", null, null);
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(challenge(api)).isEqualTo("Basic realm=\"wharf\"");
    assertThat(send("GET", "/api/wharf/v1/robots", reader, null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/api/wharf/v1/robots", admin, null).statusCode()).isEqualTo(200);
  }

  @Test
  void repeatedBadLoginsAreThrottledWithRetryAfter() throws IOException {
    createRobot("guessed", "{\"spectro-images\":[\"pull\"]}"); // an account: made-up names are not counted
    String guess = TestAccess.basic("robot$guessed", "guess");
    for (int i = 0; i < 5; i++) {
      assertThat(send("GET", "/v2/", guess, null).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> throttled = send("GET", "/v2/", guess, null);
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.body()).contains("\"TOOMANYREQUESTS\"");
    assertThat(throttled.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 300L));
  }

  @Test
  void aMountNeedsPullOnItsSource() {
    String blob = "mount me";
    String digest = ApiClient.sha256(blob.getBytes(StandardCharsets.UTF_8));
    assertThat(send("POST", "/v2/private/src/blobs/uploads/?digest=" + digest, admin, blob).statusCode()).isEqualTo(201);
    String mount = "/blobs/uploads/?mount=" + digest + "&from=private/src";

    // pusher may push in spectro-images but not read private: a new session instead of the mount
    HttpResponse<String> refused = send("POST", "/v2/spectro-images/mounted" + mount, pusher, "");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(202);
    HttpResponse<String> mounted = send("POST", "/v2/spectro-images/mounted" + mount, admin, "");
    assertThat(mounted.statusCode()).as(mounted.body()).isEqualTo(201);
  }

  @Test
  void pushesDeletesAndRefusalsAreAudited() throws IOException {
    pushImage("spectro-images/audited", "v1", pusher);
    assertThat(send("DELETE", "/v2/spectro-images/audited/manifests/v1", admin, null).statusCode()).isEqualTo(202);
    send("POST", "/v2/spectro-images/audited/blobs/uploads/", reader, "");

    List<JsonNode> lines = auditLines();
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.path("event").asText()).isEqualTo("push");
      assertThat(l.path("user").asText()).isEqualTo("robot$pusher");
      assertThat(l.path("repository").asText()).isEqualTo("spectro-images/audited");
      assertThat(l.path("reference").asText()).isEqualTo("v1");
      assertThat(l.path("address").asText()).isEqualTo("127.0.0.1");
    });
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.path("event").asText()).isEqualTo("delete");
      assertThat(l.path("user").asText()).isEqualTo("admin");
    });
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.path("event").asText()).isEqualTo("denied");
      assertThat(l.path("user").asText()).isEqualTo("robot$reader");
    });
    String all = Files.readString(AuditLog.file(wharf.data()));
    assertThat(all).doesNotContain(TestAccess.ADMIN_PASSWORD).doesNotContain("Basic ").doesNotContain("Bearer ");
  }

  // ---------------------------------------------------------------------------------------------

  private static String createRobot(String name, String grants) throws IOException {
    HttpResponse<String> r = send("POST", "/api/wharf/v1/robots", TestAccess.adminBasic(),
        "{\"name\":\"" + name + "\",\"grants\":" + grants + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("secret").asText();
  }

  /** Pushes a one-layer image with these credentials; every step must succeed. */
  static void pushImage(String repo, String tag, String authorization) {
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"repo\":\"" + repo + "\"}";
    String layer = "layer of " + repo;
    String c = pushBlob(repo, config, authorization);
    String l = pushBlob(repo, layer, authorization);
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":"
        + config.length() + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\""
        + l + "\",\"size\":" + layer.length() + "}]}";
    HttpResponse<String> put = send("PUT", "/v2/" + repo + "/manifests/" + tag, authorization, manifest, "Content-Type", MANIFEST_TYPE);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
  }

  private static String pushBlob(String repo, String content, String authorization) {
    String digest = ApiClient.sha256(content.getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, authorization, content);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return digest;
  }

  private static String tokenPath(String scope) {
    return "/service/token?service=wharf&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
  }

  private static String challenge(HttpResponse<?> r) {
    return r.headers().firstValue("WWW-Authenticate").orElseThrow(() -> new AssertionError("no challenge: " + r.statusCode()));
  }

  private static List<JsonNode> auditLines() throws IOException {
    return Files.readAllLines(AuditLog.file(wharf.data())).stream().map(line -> {
      try {
        return JSON.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toList();
  }

  static HttpResponse<String> send(String method, String path, String authorization, String body, String... headers) {
    return new Sender(wharf).send(method, path, authorization, body, headers);
  }

  /** Requests exactly as given: no credentials unless {@code authorization} is one. */
  record Sender(WharfServerExtension wharf) {
    HttpResponse<String> send(String method, String path, String authorization, String body, String... headers) {
      HttpRequest.Builder b = HttpRequest.newBuilder(wharf.uri(path))
          .timeout(Duration.ofSeconds(30))
          .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      if (headers.length > 0) {
        b.headers(headers);
      }
      try {
        return wharf.client().send(b.build(), BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}

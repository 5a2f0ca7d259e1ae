package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 2 of issue 6, with the real skopeo against a real wharf process: {@code skopeo
 * login} and {@code --dest-creds}, as the admin and as robots, push where permitted and are DENIED
 * where not; an anonymous push is refused with the Bearer challenge; the token endpoint's tokens
 * expire ({@code auth.tokenTtl: 2s}).
 *
 * <p>Projects: {@code spectro-images} and {@code team} (local). Robots, made through the admin
 * API with the admin's Basic credentials: {@code robot$ci} may pull and push in {@code team},
 * {@code robot$reader} may only pull there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class AuthIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_PASSWORD = "auth-it-admin";

  @TempDir static Path tmp;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private SyntheticImages images;
  private ImageInfo alpine;
  private WharfProcess wharf;
  private String ciSecret;
  private String readerSecret;

  @BeforeAll
  void start() throws IOException {
    images = SyntheticImages.in(tmp.resolve("src"), 6);
    alpine = images.single("alpine-3.20", List.of(300_000L, 100_000L));
    wharf = WharfProcess.on(tmp.resolve("data"))
        .projects("{name: spectro-images, type: local}", "{name: team, type: local}")
        .extraYaml("auth:\n  tokenTtl: 2s\n  admin:\n    password: " + ADMIN_PASSWORD + "\n")
        .start();
    ciSecret = createRobot("ci", "{\"team\":[\"pull\",\"push\"]}");
    readerSecret = createRobot("reader", "{\"team\":[\"pull\"]}");
  }

  @AfterAll
  void stop() {
    if (wharf != null) {
      wharf.close();
    }
  }

  @Test
  void skopeoLoginThenCopyPushesAsTheAdminAndAsARobot() {
    Skopeo admin = Skopeo.in(tmp.resolve("skopeo-login-admin"));
    login(admin, "admin", ADMIN_PASSWORD);
    admin.copy(images.ociRef("alpine-3.20"), ref("spectro-images/alpine:login"), "--preserve-digests");

    Skopeo ci = Skopeo.in(tmp.resolve("skopeo-login-ci"));
    login(ci, "robot$ci", ciSecret);
    ci.copy(images.ociRef("alpine-3.20"), ref("team/alpine:login"), "--preserve-digests");
    Skopeo.Result denied = ci.tryCopy(images.ociRef("alpine-3.20"), ref("spectro-images/alpine:by-ci"));
    assertThat(denied.exitCode()).isNotZero();
    assertThat(denied.stderr()).containsIgnoringCase("denied");

    Skopeo.Result wrong = Skopeo.in(tmp.resolve("skopeo-login-wrong")).tryRun(
        List.of("login", "--tls-verify=false", "-u", "admin", "-p", "not-the-password", wharf.hostPort()));
    assertThat(wrong.exitCode()).isNotZero();
    assertThat(admin.inspect(ref("spectro-images/alpine:login")).path("Digest").asText()).isEqualTo(alpine.digest());
  }

  @Test
  void destCredsPushWherePermittedAndAreDeniedWhereNot() {
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo-creds"));
    String src = images.ociRef("alpine-3.20");

    skopeo.copy(src, ref("team/alpine:admin"), "--dest-creds", "admin:" + ADMIN_PASSWORD, "--preserve-digests");
    skopeo.copy(src, ref("team/alpine:ci"), "--dest-creds", "robot$ci:" + ciSecret, "--preserve-digests");

    Skopeo.Result readerPush = skopeo.tryCopy(src, ref("team/alpine:reader"), "--dest-creds", "robot$reader:" + readerSecret);
    assertThat(readerPush.exitCode()).isNotZero();
    assertThat(readerPush.stderr()).containsIgnoringCase("denied");
    Skopeo.Result ciElsewhere = skopeo.tryCopy(src, ref("spectro-images/alpine:ci"), "--dest-creds", "robot$ci:" + ciSecret);
    assertThat(ciElsewhere.exitCode()).isNotZero();
    assertThat(ciElsewhere.stderr()).containsIgnoringCase("denied");

    // the reader pulls what the robot pushed, with its credentials and without any
    Path out = tmp.resolve("out-reader");
    skopeo.copy(ref("team/alpine:ci"), "oci:" + out + ":copy", "--src-creds", "robot$reader:" + readerSecret);
    assertThat(out.resolve("index.json")).exists();
    skopeo.copy(ref("team/alpine:admin"), "oci:" + tmp.resolve("out-anonymous") + ":copy");
  }

  @Test
  void anAnonymousPushIsRefusedWithTheBearerChallenge() throws Exception {
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo-anonymous"));
    Skopeo.Result push = skopeo.tryCopy(images.ociRef("alpine-3.20"), ref("spectro-images/alpine:anonymous"));

    assertThat(push.exitCode()).isNotZero();
    assertThat(push.stderr()).containsIgnoringCase("authentication required");
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(wharf.url() + "/v2/spectro-images/alpine/blobs/uploads/"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"http://" + wharf.hostPort()
        + "/service/token\",service=\"wharf\",scope=\"repository:spectro-images/alpine:pull,push\"");
    assertThat(Files.readString(wharf.dataDir().resolve("audit.log"))).contains("\"event\":\"denied\"");
  }

  @Test
  void theTokenEndpointsTokensExpire() throws Exception {
    HttpResponse<String> r = get("/service/token?service=wharf&scope=repository:team/alpine:pull,push",
        WharfProcess.basic("robot$ci", ciSecret));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("expires_in").asLong()).isBetween(2L, 3L);
    String bearer = "Bearer " + body.path("access_token").asText();

    assertThat(get("/v2/team/alpine/tags/list", bearer).statusCode()).isEqualTo(200);
    Thread.sleep(3_100); // past exp, which is at most 3 s after issue
    HttpResponse<String> expired = get("/v2/team/alpine/tags/list", bearer);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(c -> assertThat(c).startsWith("Bearer realm="));
    assertThat(get("/v2/", bearer).statusCode()).isEqualTo(401);
  }

  private void login(Skopeo skopeo, String user, String password) {
    skopeo.run(List.of("login", "--tls-verify=false", "-u", user, "-p", password, wharf.hostPort()));
  }

  private String createRobot(String name, String grants) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(wharf.url() + "/api/wharf/v1/robots"))
        .header("Authorization", WharfProcess.basic("admin", ADMIN_PASSWORD))
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"grants\":" + grants + "}")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    try {
      return JSON.readTree(r.body()).path("secret").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> get(String path, String authorization) {
    return send(HttpRequest.newBuilder(URI.create(wharf.url() + path)).header("Authorization", authorization).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String ref(String nameAndTag) {
    return "docker://" + wharf.hostPort() + "/" + nameAndTag;
  }
}

package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.proxy.it.fixture.Containerd;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: containerd pulling through wharf as a mirror from an upstream that allows no anonymous
 * pull, as a node with an imagePullSecret does (ctr's {@code --user}: containerd fetches a token
 * from the realm of wharf's challenge) and as a node whose hosts.toml carries the Authorization
 * header. The upstream is not the default one, so the token must be judged in the project that
 * {@code ?ns=} names. The hosts.toml {@code server} is a dead port: a pull succeeds only through
 * wharf.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class ContainerdAuthIT {
  private static final String HOST = "private.test:5000";
  private static final String REF = HOST + "/org/app:1";

  @TempDir static Path tmp;
  private ImageInfo app;
  private DockerRegistry upstream;
  private WharfProcess wharf;
  private Containerd containerd;
  private URI dead;
  private String robotSecret;
  private final Http http = Http.client(Duration.ofMinutes(2));

  @BeforeAll
  void start() throws Exception {
    SyntheticImages images = SyntheticImages.in(tmp.resolve("src"), 17);
    app = images.single("app", List.of(300_000L, 100_000L));
    upstream = DockerRegistry.start(tmp.resolve("upstream"));
    Skopeo.in(tmp.resolve("skopeo")).copy(images.ociRef("app"),
        "docker://" + upstream.hostPort() + "/org/app:1", "--preserve-digests");
    dead = Containerd.deadServer();
    var launcher = WharfProcess.on(tmp.resolve("data")).upstreams(
        "upstreams:\n"
            + "  - {name: hub, host: docker.io, url: '" + dead + "', tagTtl: 0s}\n"
            + "  - {name: private, host: '" + HOST + "', url: '" + upstream.url() + "', tagTtl: 0s, anonymousPull: false}\n"
            + "defaultUpstream: docker.io\n");
    for (String name : List.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")) {
      launcher.env(name, "");
    }
    wharf = launcher.start();
    Http.Response robot = http.post(wharf.url() + "/api/wharf/v1/robots",
        "{\"name\":\"nodes\",\"grants\":{\"private\":[\"pull\"]}}".getBytes(StandardCharsets.UTF_8),
        "Authorization", wharf.adminAuthorization(), "Content-Type", "application/json");
    assertThat(robot.status()).as(robot.bodyText()).isEqualTo(201);
    robotSecret = robot.json().path("secret").asText();
    containerd = Containerd.start(tmp.resolve("containerd"));
  }

  @AfterAll
  void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (wharf != null) {
      wharf.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Order(1)
  void withoutCredentialsThePullIsRefused() {
    Path hosts = tmp.resolve("hosts-plain");
    Containerd.writeHostsToml(hosts, HOST, dead, wharf.url());

    Containerd.Result r = containerd.tryPull(REF, hosts);

    assertThat(r.ok()).as(r.toString()).isFalse();
    assertThat(containerd.images()).doesNotContain(REF);
  }

  @Test
  @Order(2)
  void withAPullSecretContainerdFetchesATokenForTheRegistryItPullsFrom() throws IOException {
    Path hosts = tmp.resolve("hosts-plain");
    Containerd.writeHostsToml(hosts, HOST, dead, wharf.url());
    int logFrom = accessLog().size();

    containerd.pull(REF, hosts, "--user", "robot$nodes:" + robotSecret);

    assertThat(containerd.imageDigest(REF)).hasValue(app.digest());
    List<JsonNode> tokenRequests = accessLog().subList(logFrom, accessLog().size()).stream()
        .filter(e -> e.path("uri").asText().startsWith("/service/token")).toList();
    assertThat(tokenRequests).as("containerd asked the challenge's realm").isNotEmpty();
    // with credentials containerd POSTs the OAuth2 form to the realm (its query kept) first
    assertThat(tokenRequests).allSatisfy(e -> {
      assertThat(e.path("method").asText()).isEqualTo("POST");
      assertThat(e.path("status").asInt()).isEqualTo(200);
      assertThat(e.path("uri").asText()).startsWith("/service/token?ns=private.test");
    });
  }

  @Test
  @Order(3)
  void withTheAuthorizationHeaderInHostsTomlEveryRequestCarriesBasic() {
    containerd.wipe();
    Path hosts = tmp.resolve("hosts-header");
    String basic = Base64.getEncoder().encodeToString(("robot$nodes:" + robotSecret).getBytes(StandardCharsets.UTF_8));
    Containerd.writeHostsToml(hosts, HOST, dead, List.of(wharf.url()), "header = { Authorization = \"Basic " + basic + "\" }");

    containerd.pull(REF, hosts);

    assertThat(containerd.imageDigest(REF)).hasValue(app.digest());
    assertThat(containerd.check(REF).complete()).isTrue();
  }

  /** wharf's access log so far. */
  private List<JsonNode> accessLog() {
    return wharf.accessLog();
  }
}

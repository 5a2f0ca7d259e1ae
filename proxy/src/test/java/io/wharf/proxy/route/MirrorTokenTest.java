package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Token auth for a mirror client (containerd with hosts.toml) pulling from an upstream that is not
 * the default one and allows no anonymous pull: its requests carry {@code ?ns=ghcr.io}, and so must
 * the realm it fetches its token from, or the token's scopes are judged in the default upstream's
 * project and the pull ends in {@code insufficient_scope}. The upstreams are dead ports: nothing
 * here reaches them before the access check.
 */
final class MirrorTokenTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REALM = Pattern.compile("realm=\"([^\"]+)\"");

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      projects: []
      upstreams:
        - {name: hub, host: docker.io, url: 'http://127.0.0.1:9', tagTtl: 5m, anonymousPull: false}
        - {name: ghcr, host: ghcr.io, url: 'http://127.0.0.1:9', tagTtl: 5m, anonymousPull: false}
      defaultUpstream: docker.io
      """);

  private static AuthRouteTest.Sender sender;
  private static String nodes;

  @BeforeAll
  static void robot() throws IOException {
    sender = new AuthRouteTest.Sender(wharf);
    HttpResponse<String> r = sender.send("POST", "/api/wharf/v1/robots", TestAccess.adminBasic(),
        "{\"name\":\"nodes\",\"grants\":{\"ghcr\":[\"pull\"]}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    nodes = TestAccess.basic("robot$nodes", JSON.readTree(r.body()).path("secret").asText());
  }

  @Test
  void aMirrorClientsTokenGrantsPullInTheRegistryItNamesWithNs() throws IOException {
    String manifest = "/v2/org/app/manifests/1?ns=ghcr.io";
    HttpResponse<String> anonymous = sender.send("GET", manifest, null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    String challenge = anonymous.headers().firstValue("WWW-Authenticate").orElseThrow();
    Matcher realm = REALM.matcher(challenge);
    assertThat(realm.find()).as(challenge).isTrue();
    assertThat(realm.group(1)).isEqualTo("http://127.0.0.1:" + wharf.port() + "/service/token?ns=ghcr.io");
    assertThat(challenge).endsWith("scope=\"repository:org/app:pull\"");

    // as containerd asks: the realm's query kept, service and scope added
    String tokenPath = realm.group(1).substring(realm.group(1).indexOf("/service/token"))
        + "&service=wharf&scope=" + URLEncoder.encode("repository:org/app:pull", StandardCharsets.UTF_8);
    HttpResponse<String> token = sender.send("GET", tokenPath, nodes, null);
    assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    String jwt = JSON.readTree(token.body()).path("token").asText();
    JsonNode access = claims(jwt).path("access");
    assertThat(access.get(0).path("name").asText()).isEqualTo("org/app");
    assertThat(access.get(0).path("actions").toString()).isEqualTo("[\"pull\"]");

    HttpResponse<String> pull = sender.send("GET", manifest, "Bearer " + jwt, null);
    assertThat(pull.statusCode()).as("past the access check: the upstream is a dead port; %s", pull.body())
        .isNotIn(401, 403);
  }

  @Test
  void withoutNsTheSameRobotIsJudgedInTheDefaultUpstreamWhereItMayNotPull() throws IOException {
    HttpResponse<String> token = sender.send("GET",
        "/service/token?service=wharf&scope=" + URLEncoder.encode("repository:org/app:pull", StandardCharsets.UTF_8), nodes, null);
    assertThat(token.statusCode()).isEqualTo(200);
    String jwt = JSON.readTree(token.body()).path("token").asText();
    assertThat(claims(jwt).path("access").toString()).doesNotContain("pull");

    HttpResponse<String> pull = sender.send("GET", "/v2/org/app/manifests/1", "Bearer " + jwt, null);
    assertThat(pull.statusCode()).isIn(401, 403);
  }

  private static JsonNode claims(String jwt) throws IOException {
    String payload = jwt.split("\\.")[1];
    return JSON.readTree(Base64.getUrlDecoder().decode(payload));
  }
}

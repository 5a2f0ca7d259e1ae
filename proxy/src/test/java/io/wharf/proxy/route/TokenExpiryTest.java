package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A token lives {@code auth.tokenTtl} and is refused with the challenge after. */
final class TokenExpiryTest {
  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withEnv("WHARF_AUTH_TOKEN_TTL", "1s");

  @Test
  void anExpiredTokenGets401WithTheChallenge() throws IOException {
    AuthRouteTest.Sender sender = new AuthRouteTest.Sender(wharf);
    HttpResponse<String> r = sender.send("GET", "/service/token?service=wharf&scope=repository:spectro-images/app:pull",
        TestAccess.adminBasic(), null);
    assertThat(r.statusCode()).isEqualTo(200);
    String bearer = "Bearer " + new ObjectMapper().readTree(r.body()).path("token").asText();
    assertThat(sender.send("GET", "/v2/", bearer, null).statusCode()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .until(() -> sender.send("GET", "/v2/", bearer, null).statusCode() == 401);
    HttpResponse<String> expired = sender.send("GET", "/v2/", bearer, null);
    assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(c -> assertThat(c).startsWith("Bearer realm="));
    assertThat(expired.body()).contains("token expired");
  }
}

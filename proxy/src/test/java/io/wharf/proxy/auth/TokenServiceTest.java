package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ES256 tokens: what they claim, how they are signed, and what verification refuses. */
final class TokenServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();
  private static final Base64.Encoder B64E = Base64.getUrlEncoder().withoutPadding();

  private final TestClock clock = new TestClock(Instant.parse("2026-11-24T10:15:30.250Z"));
  private final KeyPair keys = TokenService.newKeyPair();
  private final TokenService tokens = new TokenService(Duration.ofMinutes(5), clock, keys);
  private final TokenService.Access pushApp =
      new TokenService.Access(Map.of("spectro-images/app", EnumSet.of(Action.PUSH, Action.PULL)), false);

  @Test
  void claimsAreDockersWithTheGrantedAccess() throws Exception {
    TokenService.Issued issued = tokens.issue(Principal.admin(), pushApp);

    String[] parts = issued.token().split("\\.");
    assertThat(parts).hasSize(3);
    JsonNode header = JSON.readTree(B64.decode(parts[0]));
    assertThat(header.path("alg").asText()).isEqualTo("ES256");
    assertThat(header.path("typ").asText()).isEqualTo("JWT");
    JsonNode claims = JSON.readTree(B64.decode(parts[1]));
    assertThat(claims.path("iss").asText()).isEqualTo("wharf");
    assertThat(claims.path("aud").asText()).isEqualTo("wharf");
    assertThat(claims.path("sub").asText()).isEqualTo("admin");
    assertThat(claims.path("iat").asLong()).isEqualTo(Instant.parse("2026-11-24T10:15:30Z").getEpochSecond());
    assertThat(claims.path("nbf").asLong()).isEqualTo(claims.path("iat").asLong());
    // rounded up: the token lives at least its TTL
    assertThat(claims.path("exp").asLong()).isEqualTo(Instant.parse("2026-11-24T10:20:31Z").getEpochSecond());
    assertThat(claims.path("jti").asText()).hasSizeGreaterThanOrEqualTo(16);
    assertThat(claims.path("access").toString())
        .isEqualTo("[{\"type\":\"repository\",\"name\":\"spectro-images/app\",\"actions\":[\"pull\",\"push\"]}]");
    assertThat(issued.issuedAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30Z"));
    assertThat(issued.expiresIn()).isEqualTo(Duration.ofSeconds(301));
    assertThat(issued.toString()).doesNotContain(issued.token());
    assertThat(tokens.issue(Principal.admin(), pushApp).token()).as("a new jti each time").isNotEqualTo(issued.token());
  }

  @Test
  void theSignatureIsRawRAndSOverTheSigningInput() throws Exception {
    String token = tokens.issue(Principal.admin(), pushApp).token();
    int last = token.lastIndexOf('.');
    byte[] raw = B64.decode(token.substring(last + 1));

    assertThat(raw).hasSize(64);
    // the same R and S in DER verify with the JDK's plain ECDSA: the raw form is JWS's R || S
    Signature der = Signature.getInstance("SHA256withECDSA");
    der.initVerify(keys.getPublic());
    der.update(token.substring(0, last).getBytes(StandardCharsets.US_ASCII));
    assertThat(der.verify(toDer(raw))).isTrue();
  }

  @Test
  void verifiesItsOwnTokenAndGivesBackTheBearerAndAccess() {
    Principal robot = new Principal("robot$ci", Principal.Kind.ROBOT, Map.of("team", Set.of(Action.PULL, Action.PUSH)));
    TokenService.Access access = new TokenService.Access(
        Map.of("team/app", Set.of(Action.PULL), "team/other", Set.of()), true);

    TokenService.Verified verified = tokens.verify(tokens.issue(robot, access).token());

    assertThat(verified.principal()).isEqualTo(robot);
    assertThat(verified.access().allows("team/app", Action.PULL)).isTrue();
    assertThat(verified.access().allows("team/app", Action.PUSH)).isFalse();
    assertThat(verified.access().allows("team/other", Action.PULL)).isFalse();
    assertThat(verified.access().catalog()).isTrue();
    assertThat(tokens.verify(tokens.issue(Principal.anonymous(), TokenService.Access.none()).token()).principal())
        .isEqualTo(Principal.anonymous());
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token = tokens.issue(Principal.admin(), pushApp).token();

    clock.advance(Duration.ofMinutes(5));
    assertThat(tokens.verify(token).principal()).isEqualTo(Principal.admin());
    clock.advance(Duration.ofMillis(750));
    assertUnauthorized(token);
  }

  @Test
  void tamperedForgedAndForeignTokensAreRefused() throws Exception {
    String token = tokens.issue(Principal.anonymous(), TokenService.Access.none()).token();
    String[] parts = token.split("\\.");
    ObjectNode claims = (ObjectNode) JSON.readTree(B64.decode(parts[1]));
    claims.put("sub", "admin");
    claims.putObject("wharf").put("kind", "admin");
    String elevated = B64E.encodeToString(JSON.writeValueAsBytes(claims));

    assertUnauthorized(parts[0] + "." + elevated + "." + parts[2]);
    assertUnauthorized(B64E.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + elevated + ".");
    assertUnauthorized(B64E.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2]);
    byte[] flipped = B64.decode(parts[2]);
    flipped[10] ^= 1;
    assertUnauthorized(parts[0] + "." + parts[1] + "." + B64E.encodeToString(flipped));
    // signed by another wharf (another key): no good here
    TokenService other = new TokenService(Duration.ofMinutes(5), clock);
    assertUnauthorized(other.issue(Principal.admin(), pushApp).token());
    for (String junk : new String[] {"", ".", "..", "a.b.c", token + ".x", "%%%.%%%.%%%", "x".repeat(20_000)}) {
      assertUnauthorized(junk);
    }
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() throws Exception {
    String token = tokens.issue(Principal.admin(), pushApp).token();
    String[] parts = token.split("\\.");
    ObjectNode claims = (ObjectNode) JSON.readTree(B64.decode(parts[1]));
    claims.put("aud", "harbor");
    String payload = B64E.encodeToString(JSON.writeValueAsBytes(claims));
    // re-signed with the right key: only the audience is wrong
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(keys.getPrivate());
    s.update((parts[0] + "." + payload).getBytes(StandardCharsets.US_ASCII));

    assertUnauthorized(parts[0] + "." + payload + "." + B64E.encodeToString(s.sign()));
  }

  private void assertUnauthorized(String token) {
    assertThatThrownBy(() -> tokens.verify(token))
        .as(token.length() > 80 ? token.substring(0, 80) : token)
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.UNAUTHORIZED));
  }

  private static byte[] toDer(byte[] raw) {
    byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, 32)).toByteArray();
    byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64)).toByteArray();
    byte[] out = new byte[6 + r.length + s.length];
    out[0] = 0x30;
    out[1] = (byte) (4 + r.length + s.length);
    out[2] = 0x02;
    out[3] = (byte) r.length;
    System.arraycopy(r, 0, out, 4, r.length);
    out[4 + r.length] = 0x02;
    out[5 + r.length] = (byte) s.length;
    System.arraycopy(s, 0, out, 6 + r.length, s.length);
    return out;
  }
}

package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and verifies the bearer tokens of Docker token auth: JWTs signed ES256 (ECDSA P-256 with
 * SHA-256) under a key pair made when wharf starts and held only in memory, so a restart
 * invalidates every token and clients fetch new ones, which they do on any 401.
 *
 * <p>Claims, as Docker's token spec ({@code docs/spec/auth/jwt.md}) gives them: {@code iss} and
 * {@code aud} {@value #SERVICE}, {@code sub} the account ({@code ""} for anonymous), {@code iat},
 * {@code nbf}, {@code exp} (seconds), a random {@code jti}, and {@code access}, the granted
 * {@code [{"type":"repository","name":..,"actions":[..]}]}. One private claim, {@code wharf},
 * states who the bearer is ({@code kind} and a robot's {@code grants}), so that a request is judged
 * in the project it actually resolves to (a containerd mirror's {@code ?ns=} may change that) by
 * the same rules as Basic auth, without reading the account stores per request.
 *
 * <p>The signature is the raw {@code R || S} pair (64 bytes), as JWS requires, not DER. Verifying
 * accepts only {@code alg} ES256 (never {@code none}), checks the signature before reading any
 * claim, then {@code iss}, {@code aud}, {@code exp} and {@code nbf}. Thread-safe.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODE = Base64.getUrlDecoder();
  /** The service name of the challenge and the token's issuer and audience. */
  public static final String SERVICE = "wharf";
  /** JCA's ECDSA with the JWS (IEEE P1363) signature encoding. */
  private static final String ALGORITHM = "SHA256withECDSAinP1363Format";
  /** Longer tokens are not ours: refused before any parsing. */
  private static final int MAX_TOKEN = 16 * 1024;
  private static final String HEADER = B64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  /**
   * What a token grants.
   *
   * @param repositories repository name as the client names it, to the granted actions
   * @param catalog whether {@code registry:catalog:*} is granted
   */
  public record Access(Map<String, Set<Action>> repositories, boolean catalog) {
    public Access {
      Map<String, Set<Action>> copy = new LinkedHashMap<>();
      repositories.forEach((name, actions) -> {
        if (!actions.isEmpty()) {
          copy.put(name, Set.copyOf(actions));
        }
      });
      repositories = Collections.unmodifiableMap(copy);
    }

    public static Access none() {
      return new Access(Map.of(), false);
    }

    /** Whether {@code action} on the repository {@code name} (as sent) is granted. */
    public boolean allows(String name, Action action) {
      return repositories.getOrDefault(name, Set.of()).contains(action);
    }

    /** The granted scopes, space-separated, for the audit log. */
    public String describe() {
      StringBuilder b = new StringBuilder();
      repositories.forEach((name, actions) -> b.append(b.length() == 0 ? "" : " ").append(Scope.text(name, actions)));
      if (catalog) {
        b.append(b.length() == 0 ? "" : " ").append("registry:catalog:*");
      }
      return b.toString();
    }
  }

  /**
   * A token as issued.
   *
   * @param token the compact JWS
   * @param issuedAt its {@code iat}
   * @param expiresIn from {@code iat} to {@code exp}
   */
  public record Issued(String token, Instant issuedAt, Duration expiresIn) {
    @Override
    public String toString() {
      return "Issued[token=<redacted>, issuedAt=" + issuedAt + ", expiresIn=" + expiresIn + "]";
    }
  }

  /**
   * A token that verified.
   *
   * @param principal who the bearer is
   * @param access what it grants
   * @param expiresAt its {@code exp}
   */
  public record Verified(Principal principal, Access access, Instant expiresAt) {}

  private final Duration ttl;
  private final Clock clock;
  private final PrivateKey signingKey;
  private final PublicKey verifyingKey;
  private final SecureRandom random = new SecureRandom();

  /**
   * Makes a new key pair.
   *
   * @param ttl how long a token is valid ({@code auth.tokenTtl}), at least a second
   */
  public TokenService(Duration ttl, Clock clock) {
    this(ttl, clock, newKeyPair());
  }

  TokenService(Duration ttl, Clock clock, KeyPair keys) {
    this.ttl = requireNonNull(ttl, "ttl");
    if (ttl.toSeconds() < 1) {
      throw new IllegalArgumentException("a token lives at least a second, not " + ttl);
    }
    this.clock = requireNonNull(clock, "clock");
    this.signingKey = keys.getPrivate();
    this.verifyingKey = keys.getPublic();
  }

  /** A new P-256 key pair. */
  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is in every JDK", e);
    }
  }

  /** How long a token lives. */
  public Duration ttl() {
    return ttl;
  }

  /** A token for {@code principal} granting {@code access}. */
  public Issued issue(Principal principal, Access access) {
    Instant now = clock.instant();
    long iat = now.getEpochSecond();
    // rounded up: a token lives at least its TTL, whatever fraction of a second it was made at
    Instant end = now.plus(ttl);
    long exp = end.getEpochSecond() + (end.getNano() > 0 ? 1 : 0);
    ObjectNode claims = JSON.createObjectNode();
    claims.put("iss", SERVICE);
    claims.put("sub", principal.name());
    claims.put("aud", SERVICE);
    claims.put("exp", exp);
    claims.put("nbf", iat);
    claims.put("iat", iat);
    byte[] jti = new byte[16];
    random.nextBytes(jti);
    claims.put("jti", B64.encodeToString(jti));
    ArrayNode granted = claims.putArray("access");
    access.repositories().forEach((name, actions) -> {
      ObjectNode entry = granted.addObject().put("type", "repository").put("name", name);
      ArrayNode list = entry.putArray("actions");
      ordered(actions).forEach(a -> list.add(a.scopeName()));
    });
    if (access.catalog()) {
      granted.addObject().put("type", "registry").put("name", "catalog").putArray("actions").add("*");
    }
    ObjectNode who = claims.putObject("wharf").put("kind", principal.kind().name().toLowerCase(Locale.ROOT));
    if (principal.kind() == Principal.Kind.ROBOT) {
      ObjectNode grants = who.putObject("grants");
      principal.grants().forEach((project, actions) -> {
        ArrayNode list = grants.putArray(project);
        ordered(actions).forEach(a -> list.add(a.scopeName()));
      });
    }
    String signingInput = HEADER + "." + B64.encodeToString(bytes(claims));
    String token = signingInput + "." + B64.encodeToString(sign(signingInput));
    return new Issued(token, Instant.ofEpochSecond(iat), Duration.ofSeconds(exp - iat));
  }

  /**
   * Verifies a token from an {@code Authorization: Bearer} header.
   *
   * @throws OciException UNAUTHORIZED for anything but a valid, current token of this wharf
   */
  public Verified verify(String token) {
    if (token.length() > MAX_TOKEN) {
      throw invalid("token too long");
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      throw invalid("not a compact JWS");
    }
    JsonNode header = parse(decode(token.substring(0, first)));
    if (!"ES256".equals(header.path("alg").asText(null))) {
      throw invalid("alg is not ES256");
    }
    byte[] signature = decode(token.substring(second + 1));
    if (signature.length != 64 || !signatureValid(token.substring(0, second), signature)) {
      throw invalid("bad signature");
    }
    JsonNode claims = parse(decode(token.substring(first + 1, second)));
    if (!SERVICE.equals(claims.path("iss").asText(null))) {
      throw invalid("issuer is not " + SERVICE);
    }
    if (!audienceIsUs(claims.path("aud"))) {
      throw invalid("audience is not " + SERVICE);
    }
    Instant now = clock.instant();
    JsonNode exp = claims.path("exp");
    JsonNode nbf = claims.path("nbf");
    if (!exp.isIntegralNumber() || !exp.canConvertToLong() || !now.isBefore(Instant.ofEpochSecond(exp.asLong()))) {
      throw new OciException(OciError.UNAUTHORIZED, "token expired");
    }
    if (!nbf.isMissingNode() && (!nbf.isIntegralNumber() || now.getEpochSecond() < nbf.asLong())) {
      throw invalid("token not yet valid");
    }
    return new Verified(principal(claims), access(claims.path("access")), Instant.ofEpochSecond(exp.asLong()));
  }

  private static Set<Action> ordered(Set<Action> actions) {
    Set<Action> out = EnumSet.noneOf(Action.class);
    out.addAll(actions);
    return out;
  }

  private static boolean audienceIsUs(JsonNode aud) {
    if (aud.isTextual()) {
      return SERVICE.equals(aud.asText());
    }
    if (aud.isArray()) {
      for (JsonNode a : aud) {
        if (SERVICE.equals(a.asText(null))) {
          return true;
        }
      }
    }
    return false;
  }

  private static Principal principal(JsonNode claims) {
    String sub = claims.path("sub").asText("");
    JsonNode who = claims.path("wharf");
    String kind = who.path("kind").asText("");
    return switch (kind) {
      case "admin" -> Principal.admin();
      case "anonymous" -> Principal.anonymous();
      case "robot" -> new Principal(sub, Principal.Kind.ROBOT, actionsByName(who.path("grants")));
      default -> throw invalid("no account kind");
    };
  }

  private static Access access(JsonNode access) {
    Map<String, Set<Action>> repositories = new HashMap<>();
    boolean catalog = false;
    for (JsonNode entry : access) {
      String type = entry.path("type").asText("");
      String name = entry.path("name").asText("");
      if (type.equals("registry") && name.equals("catalog")) {
        catalog = true;
      } else if (type.equals("repository")) {
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (JsonNode a : entry.path("actions")) {
          actions.add(Action.parse(a.asText("")));
        }
        repositories.computeIfAbsent(name, n -> EnumSet.noneOf(Action.class)).addAll(actions);
      }
    }
    return new Access(repositories, catalog);
  }

  private static Map<String, Set<Action>> actionsByName(JsonNode node) {
    Map<String, Set<Action>> out = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Set<Action> actions = EnumSet.noneOf(Action.class);
      for (JsonNode a : e.getValue()) {
        actions.add(Action.parse(a.asText("")));
      }
      out.put(e.getKey(), actions);
    }
    return out;
  }

  private byte[] sign(String signingInput) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(signingKey);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  private boolean signatureValid(String signingInput, byte[] signature) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(verifyingKey);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      log.atDebug().log("token signature check failed: " + e.getMessage());
      return false;
    }
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("claims are always serialisable", e);
    }
  }

  private static byte[] decode(String part) {
    try {
      return B64_DECODE.decode(part);
    } catch (IllegalArgumentException e) {
      throw invalid("not base64url");
    }
  }

  private static JsonNode parse(byte[] json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw invalid("not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw invalid("not JSON");
    }
  }

  // the client hears only that the token is no good; which check failed is for the debug log
  private static OciException invalid(String why) {
    log.atDebug().log("bearer token refused: " + why);
    return new OciException(OciError.UNAUTHORIZED, "invalid token");
  }
}

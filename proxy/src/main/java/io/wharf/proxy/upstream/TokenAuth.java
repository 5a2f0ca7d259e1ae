package io.wharf.proxy.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an upstream's {@code WWW-Authenticate} challenges: the Docker token flow for {@code
 * Bearer} (realm, service, {@code repository:<name>:pull} scope, token cached until shortly before
 * it expires) and the configured credentials for {@code Basic}.
 *
 * <p>Implementation notes. Tokens live in a Caffeine cache keyed by (realm, service, scope), each
 * entry expiring after its own {@code expires_in} (60 s when absent, as the token spec says) less
 * a margin, measured on the injected ticker; {@code issued_at} is not used, so a skewed clock at
 * the auth server cannot expire tokens early. Concurrent requests for one scope share one token
 * request. The last challenge seen is remembered, so later requests send a token (fetching it if
 * needed) without first collecting a 401. A 401 answered to a token that came from the cache drops
 * it and is tried once more with a fresh one; a 401 to a fresh token is final ({@code upstream
 * 401}: Docker Hub's answer for a repository that does not exist).
 *
 * <p>Credentials go to a realm over plain http only when the upstream itself is plain http (a
 * local test registry); otherwise the token is asked for anonymously. Thread-safe.
 */
final class TokenAuth {
  private static final Logger log = LoggerFactory.getLogger(TokenAuth.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The token spec's default lifetime. */
  static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  /** The largest token response read. */
  private static final int MAX_TOKEN_RESPONSE = 1 << 20;

  /** Fetches a token endpoint URL, with an Authorization header for the realm's origin or none. */
  interface TokenEndpoint {
    CompletableFuture<byte[]> get(URI url, @Nullable String authorization);
  }

  /** What an Authorization header was, so a 401 to it can be answered right. */
  record Credential(String header, boolean bearer, @Nullable TokenKey key, @Nullable CompletableFuture<Token> source, boolean fresh) {
    @Override
    public String toString() {
      return "Credential[" + (bearer ? "bearer" : "basic") + ", fresh=" + fresh + "]"; // never the header
    }
  }

  record TokenKey(String realm, String service, String scope) {}

  record Token(String value, long lifetimeNanos) {
    @Override
    public String toString() {
      return "Token[<redacted>, lifetime=" + Duration.ofNanos(lifetimeNanos) + "]";
    }
  }

  private final boolean upstreamIsHttp;
  private final @Nullable String basic;
  private final TokenEndpoint endpoint;
  private final AsyncCache<TokenKey, Token> tokens;
  private volatile @Nullable Challenge remembered;

  TokenAuth(URI upstreamUrl, @Nullable String username, @Nullable String password, Ticker ticker, TokenEndpoint endpoint) {
    this.upstreamIsHttp = "http".equalsIgnoreCase(upstreamUrl.getScheme());
    this.basic = username == null ? null : basic(username, password == null ? "" : password);
    this.endpoint = requireNonNull(endpoint, "endpoint");
    this.tokens = Caffeine.newBuilder()
        .ticker(ticker)
        .maximumSize(10_000)
        .expireAfter(new Expiry<TokenKey, Token>() {
          @Override
          public long expireAfterCreate(TokenKey key, Token token, long currentTime) {
            return token.lifetimeNanos();
          }

          @Override
          public long expireAfterUpdate(TokenKey key, Token token, long currentTime, long currentDuration) {
            return token.lifetimeNanos();
          }

          @Override
          public long expireAfterRead(TokenKey key, Token token, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .buildAsync();
  }

  /**
   * The Authorization to send with a first request for the repository, following the last
   * challenge this upstream made: a token (cached, or fetched now), Basic, or none.
   */
  CompletableFuture<@Nullable Credential> preemptive(String repository) {
    Challenge c = remembered;
    if (c == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (c.scheme().equals("basic")) {
      return CompletableFuture.completedFuture(basic == null ? null : new Credential(basic, false, null, null, true));
    }
    return bearer(c, repository, null).thenApply(cred -> cred);
  }

  /**
   * Answers a 401 from the upstream.
   *
   * @param sent what the refused request carried, or null
   * @param upstreamText the error of the 401's JSON body, for the failure's detail
   * @return the Authorization to try again with; fails with UNAUTHORIZED ({@code upstream 401}) when
   *     there is nothing new to try, or with the token endpoint's failure
   */
  CompletableFuture<Credential> answer(List<String> wwwAuthenticate, String repository, @Nullable Credential sent, @Nullable String upstreamText) {
    List<Challenge> challenges = Challenge.parse(wwwAuthenticate);
    Challenge bearer = Challenge.find(challenges, "bearer");
    if (bearer != null) {
      if (sent != null && sent.bearer()) {
        if (sent.fresh() || sent.key() == null || sent.source() == null) {
          return CompletableFuture.failedFuture(refused(upstreamText));
        }
        tokens.asMap().remove(sent.key(), sent.source()); // stale or revoked: once more, fresh
        log.atDebug().addKeyValue("realm", sent.key().realm()).log("cached upstream token refused, fetching a new one");
      }
      remembered = bearer;
      return bearer(bearer, repository, sent);
    }
    Challenge basicChallenge = Challenge.find(challenges, "basic");
    if (basicChallenge != null && basic != null && (sent == null || sent.bearer())) {
      remembered = basicChallenge;
      return CompletableFuture.completedFuture(new Credential(basic, false, null, null, true));
    }
    return CompletableFuture.failedFuture(refused(upstreamText));
  }

  private CompletableFuture<Credential> bearer(Challenge c, String repository, @Nullable Credential refused) {
    String realm = c.param("realm");
    URI realmUrl = realm == null ? null : parseRealm(realm);
    if (realmUrl == null) {
      return CompletableFuture.failedFuture(new OciException(
          OciError.UNAUTHORIZED, "upstream asked for a token with an unusable realm", "upstream 401: invalid realm"));
    }
    String service = c.param("service") == null ? "" : c.param("service");
    TokenKey key = new TokenKey(realmUrl.toString(), service, "repository:" + repository + ":pull");
    boolean[] fetched = {false};
    CompletableFuture<Token> source = tokens.get(key, (k, executor) -> {
      fetched[0] = true;
      return fetch(realmUrl, k);
    });
    boolean fresh = fetched[0] || (refused != null && refused.source() != source);
    return source.thenApply(t -> new Credential("Bearer " + t.value(), true, key, source, fresh));
  }

  private CompletableFuture<Token> fetch(URI realm, TokenKey key) {
    StringBuilder url = new StringBuilder(realm.toString());
    url.append(realm.getRawQuery() == null ? '?' : '&');
    if (!key.service().isEmpty()) {
      url.append("service=").append(URLEncoder.encode(key.service(), UTF_8)).append('&');
    }
    url.append("scope=").append(URLEncoder.encode(key.scope(), UTF_8));
    boolean sendCredentials = basic != null && (realm.getScheme().equals("https") || upstreamIsHttp);
    if (basic != null && !sendCredentials) {
      log.atWarn()
          .addKeyValue("realm", Redacted.url(realm))
          .log("token realm is plain http: asking for an anonymous token, credentials withheld");
    }
    URI tokenUrl = URI.create(url.toString());
    log.atDebug().addKeyValue("realm", Redacted.url(realm)).addKeyValue("scope", key.scope()).log("fetching upstream token");
    return endpoint.get(tokenUrl, sendCredentials ? basic : null).thenApply(TokenAuth::parseToken);
  }

  static Token parseToken(byte[] body) {
    JsonNode n;
    try {
      if (body.length > MAX_TOKEN_RESPONSE) {
        throw new IOException("too large");
      }
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw new OciException(OciError.UNAUTHORIZED, "upstream token endpoint answered no JSON", "token endpoint: bad response");
    }
    String token = text(n, "token");
    if (token == null) {
      token = text(n, "access_token");
    }
    if (token == null) {
      throw new OciException(OciError.UNAUTHORIZED, "upstream token endpoint answered no token", "token endpoint: no token");
    }
    JsonNode e = n == null ? null : n.get("expires_in");
    long seconds = e != null && e.canConvertToLong() && e.asLong() > 0 ? e.asLong() : DEFAULT_LIFETIME.toSeconds();
    return new Token(token, lifetimeNanos(Duration.ofSeconds(seconds)));
  }

  /** The cached lifetime: what the endpoint said less a fifth of it, at most 30 s less. */
  static long lifetimeNanos(Duration expiresIn) {
    Duration margin = expiresIn.dividedBy(5);
    if (margin.compareTo(Duration.ofSeconds(30)) > 0) {
      margin = Duration.ofSeconds(30);
    }
    return expiresIn.minus(margin).toNanos();
  }

  private static @Nullable String text(@Nullable JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
  }

  private static @Nullable URI parseRealm(String realm) {
    try {
      URI u = new URI(realm);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if ((!scheme.equals("http") && !scheme.equals("https")) || u.getHost() == null || u.getRawUserInfo() != null) {
        return null;
      }
      return u;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static OciException refused(@Nullable String upstreamText) {
    return UpstreamErrors.of(OciError.UNAUTHORIZED, 401, upstreamText);
  }

  static String basic(String username, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(UTF_8));
  }

  /** For tests: how many tokens are cached now. */
  long cachedTokens() {
    tokens.synchronous().cleanUp();
    return tokens.synchronous().estimatedSize();
  }
}

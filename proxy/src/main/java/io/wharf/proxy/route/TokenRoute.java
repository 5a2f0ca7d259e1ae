package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.auth.BasicCredentials;
import io.wharf.proxy.auth.TokenService;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /service/token?service=wharf&scope=repository:<name>:<actions>} (or a POSTed OAuth2
 * form, {@link #post}): Docker token auth's
 * token endpoint. Basic credentials (or none, for an anonymous token) in; out, as Harbor and
 * Docker's token servers answer:
 *
 * <pre>
 * {"token":"eyJ..","access_token":"eyJ..","expires_in":300,"issued_at":"2026-11-24T10:15:30Z"}
 * </pre>
 *
 * <p>A mirror client's challenge names this endpoint with its {@code ns} ({@code
 * /service/token?ns=ghcr.io}), and clients keep the realm's query when they add theirs: the scopes
 * are then judged in the project that client pulls from, not the default upstream's.
 *
 * <p>{@code token} and {@code access_token} are the same (older clients read the first, OAuth2
 * clients the second). {@code service}, {@code account}, {@code client_id} and {@code
 * offline_token} are accepted and not needed: the audience is always wharf, the account is the
 * one of the credentials, and tokens are not refreshed (clients ask again with their
 * credentials). Never cached by anyone on the way ({@code Cache-Control: no-store}).
 */
final class TokenRoute {
  /** The cap on a POSTed form: a few scopes and credentials. */
  static final int MAX_FORM = (int) BodyLimits.NO_BODY;

  private final AccessControl access;

  TokenRoute(AccessControl access) {
    this.access = requireNonNull(access, "access");
  }

  void get(Exchange exchange, Route route, AccessControl.Caller caller) {
    List<String> scopes = route.query().getOrDefault("scope", List.of());
    send(exchange, access.issueToken(caller, scopes, route.param("ns")));
  }

  /**
   * {@code POST /service/token}: the OAuth2 form of the same (Docker's token spec), which
   * containerd asks first when it has credentials: {@code grant_type=password} with {@code
   * username} and {@code password}, and {@code scope} space-separated. No refresh token is issued,
   * so any other grant is refused with 400, on which containerd asks again with GET.
   */
  BodyConsumer post(Exchange exchange, Route route, AccessControl.Caller caller) {
    return SmallBody.of(exchange, MAX_FORM, body -> {
      Map<String, List<String>> form =
          new QueryStringDecoder(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8, false).parameters();
      String grant = first(form, "grant_type");
      if (!"password".equals(grant)) {
        throw OciException.withStatus(OciError.UNSUPPORTED, 400,
            "unsupported grant_type " + (grant == null ? "(none)" : "'" + grant + "'") + ": only password");
      }
      String username = first(form, "username");
      String password = first(form, "password");
      if (username == null || password == null) {
        throw OciException.withStatus(OciError.UNSUPPORTED, 400, "grant_type password needs username and password");
      }
      List<String> scopes = new ArrayList<>();
      for (String value : form.getOrDefault("scope", List.of())) {
        for (String scope : value.split(" ")) {
          if (!scope.isEmpty()) {
            scopes.add(scope);
          }
        }
      }
      send(exchange, access.issueToken(caller, BasicCredentials.of(username, password), scopes, route.param("ns")));
    });
  }

  private static void send(Exchange exchange, AccessControl.IssuedToken token) {
    TokenService.Issued issued = token.issued();
    ObjectNode body = Responses.mapper().createObjectNode();
    body.put("token", issued.token());
    body.put("access_token", issued.token());
    body.put("expires_in", issued.expiresIn().toSeconds());
    body.put("issued_at", issued.issuedAt().toString());
    HttpHeaders headers = Responses.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    exchange.send(HttpResponseStatus.OK, headers, Responses.json(body));
  }

  private static @Nullable String first(Map<String, List<String>> form, String name) {
    List<String> values = form.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}

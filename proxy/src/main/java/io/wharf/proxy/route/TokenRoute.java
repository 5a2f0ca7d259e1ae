package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.auth.TokenService;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.util.List;

/**
 * {@code GET /service/token?service=wharf&scope=repository:<name>:<actions>}: Docker token auth's
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
  private final AccessControl access;

  TokenRoute(AccessControl access) {
    this.access = requireNonNull(access, "access");
  }

  void get(Exchange exchange, Route route, AccessControl.Caller caller) {
    List<String> scopes = route.query().getOrDefault("scope", List.of());
    AccessControl.IssuedToken token = access.issueToken(caller, scopes, route.param("ns"));
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
}

package io.wharf.proxy.route;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.proxy.auth.AccessPolicy.Requirement;

/**
 * What each route needs before it runs, as Harbor asks it:
 *
 * <pre>
 * GET/HEAD manifest, blob, tags, referrers        PULL in the request's project
 * PUT manifest; every upload request              PUSH
 * DELETE manifest, blob                           DELETE
 * /v2/                                            ACCOUNT (anonymous: the challenge, so clients log in)
 * /v2/_catalog                                    CATALOG (the admin)
 * /api/wharf/v1/...                               ADMIN_API (the admin by Basic, from loopback)
 * /metrics /healthz /readyz /service/token, 404   OPEN
 * </pre>
 *
 * <p>Stateless.
 */
final class RouteAccess {
  private RouteAccess() {}

  /** The requirement of a parsed route (its method already checked by the {@link Router}). */
  static Requirement of(Route.Kind kind, HttpMethod method) {
    return switch (kind) {
      case BASE -> Requirement.ACCOUNT;
      case CATALOG -> Requirement.CATALOG;
      case ADMIN -> Requirement.ADMIN_API;
      case TAGS, REFERRERS -> Requirement.PULL;
      case MANIFEST -> method.equals(HttpMethod.PUT)
          ? Requirement.PUSH
          : method.equals(HttpMethod.DELETE) ? Requirement.DELETE : Requirement.PULL;
      case BLOB -> method.equals(HttpMethod.DELETE) ? Requirement.DELETE : Requirement.PULL;
      case UPLOAD_START, UPLOAD -> Requirement.PUSH;
      case METRICS, HEALTH, READY, TOKEN, NOT_FOUND -> Requirement.OPEN;
    };
  }
}

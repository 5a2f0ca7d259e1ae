package io.wharf.proxy.route;

import io.wharf.proxy.route.http.Exchange;
import org.jspecify.annotations.Nullable;

/**
 * Answers the admin API ({@code /api/wharf/v1/...}, {@link Route.Kind#ADMIN}): wharf's own
 * maintenance endpoints, outside the distribution API. The implementation checks who may call it
 * and which methods each path takes.
 */
public interface AdminEndpoint {
  /**
   * Answers the request, or returns the consumer of its body, as {@link Routes#dispatch} does.
   *
   * @throws io.wharf.oci.OciException DENIED for a caller that may not use the API, or whatever
   *     the request asks that is refused
   */
  @Nullable BodyConsumer handle(Exchange exchange, Route route);
}

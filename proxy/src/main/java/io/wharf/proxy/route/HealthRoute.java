package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import io.wharf.proxy.upstream.BreakerState;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /healthz} and {@code GET /readyz}, for probes.
 *
 * <ul>
 *   <li>{@code /healthz}: 200 {@code {"status":"ok"}} whenever the process answers at all.
 *   <li>{@code /readyz}: whether wharf itself can serve (its storage is open), with each
 *       upstream's breaker state shown: {@code {"status":"ready","upstreams":{"dockerhub":"healthy"}}}.
 *       An offline upstream does not make wharf unready: at the edge that is normal, and serving
 *       from the cache is the point. Not ready is 503 {@code {"status":"unavailable",..}}.
 * </ul>
 */
final class HealthRoute {
  private final Supplier<Map<String, BreakerState>> upstreams;
  private final BooleanSupplier ready;

  /**
   * @param upstreams each upstream's breaker state, read per request
   * @param ready whether storage is open and requests can be served
   */
  HealthRoute(Supplier<Map<String, BreakerState>> upstreams, BooleanSupplier ready) {
    this.upstreams = requireNonNull(upstreams, "upstreams");
    this.ready = requireNonNull(ready, "ready");
  }

  void healthz(Exchange exchange) {
    ObjectNode body = Responses.mapper().createObjectNode().put("status", "ok");
    exchange.send(HttpResponseStatus.OK, headers(), Responses.json(body));
  }

  void readyz(Exchange exchange) {
    boolean serving = ready.getAsBoolean();
    ObjectNode body = Responses.mapper().createObjectNode().put("status", serving ? "ready" : "unavailable");
    ObjectNode states = body.putObject("upstreams");
    new TreeMap<>(upstreams.get()).forEach((name, state) -> states.put(name, state.label()));
    exchange.send(serving ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, headers(), Responses.json(body));
  }

  private static HttpHeaders headers() {
    return Responses.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
  }
}

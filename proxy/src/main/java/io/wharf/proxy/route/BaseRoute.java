package io.wharf.proxy.route;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.nio.charset.StandardCharsets;

/** {@code GET /v2/}: tells a client this is a v2 registry (the API version header does the work). */
final class BaseRoute {
  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

  void get(Exchange exchange) {
    HttpHeaders headers = Responses.headers().set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON);
    exchange.send(HttpResponseStatus.OK, headers, Unpooled.wrappedBuffer(EMPTY_OBJECT));
  }
}

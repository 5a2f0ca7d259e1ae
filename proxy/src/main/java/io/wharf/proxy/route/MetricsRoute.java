package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.io.IOException;
import java.io.UncheckedIOException;

/** {@code GET /metrics}: every meter in the Prometheus text format. */
final class MetricsRoute {
  /** A scrape of wharf's meters and the JVM's is some tens of KiB. */
  private static final int INITIAL_CAPACITY = 32 * 1024;

  private final WharfMetrics metrics;

  MetricsRoute(WharfMetrics metrics) {
    this.metrics = requireNonNull(metrics, "metrics");
  }

  void get(Exchange exchange) {
    ByteBuf body = Unpooled.buffer(INITIAL_CAPACITY);
    try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
      metrics.scrape(out);
    } catch (IOException e) {
      body.release();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      body.release();
      throw e;
    }
    HttpHeaders headers = Responses.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, WharfMetrics.CONTENT_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    exchange.send(HttpResponseStatus.OK, headers, body);
  }
}

package io.wharf.proxy.server;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.oci.ErrorBody;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only place an exception becomes a response.
 *
 * <ul>
 *   <li>An {@link OciException}: its status and the spec's JSON error body, plus the headers the
 *       route asked errors to carry ({@link Exchange#errorHeaders()}).
 *   <li>Anything else: 500 UNKNOWN, logged once here with its stack; the client never sees a
 *       trace or an exception message.
 *   <li>When the response has already started, nothing can be said: the connection is closed,
 *       so the client sees a truncated body rather than a wrong one.
 * </ul>
 *
 * <p>A HEAD answer has the same status and headers and no body.
 */
final class ErrorResponder {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponder.class);

  private ErrorResponder() {}

  static void respond(Exchange exchange, Throwable failure) {
    OciException oci = unwrap(failure);
    if (oci == null) {
      log.atError()
          .setCause(failure)
          .addKeyValue("method", exchange.method().name())
          .addKeyValue("uri", RedactedUri.of(exchange.request().uri()))
          .log("request failed");
    } else if (oci.status() >= 500) {
      log.atWarn()
          .addKeyValue("status", oci.status())
          .addKeyValue("code", oci.error().code())
          .addKeyValue("uri", RedactedUri.of(exchange.request().uri()))
          .log(oci.getMessage());
    } else {
      log.atDebug()
          .addKeyValue("status", oci.status())
          .addKeyValue("code", oci.error().code())
          .addKeyValue("uri", RedactedUri.of(exchange.request().uri()))
          .log(oci.getMessage());
    }
    if (exchange.responseStarted()) {
      exchange.abort();
      return;
    }
    OciException error = oci != null ? oci : new OciException(OciError.UNKNOWN, OciError.UNKNOWN.message());
    HttpHeaders headers = Responses.headers().set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON);
    headers.add(exchange.errorHeaders());
    exchange.send(HttpResponseStatus.valueOf(error.status()), headers, Unpooled.wrappedBuffer(ErrorBody.of(error)));
  }

  /** The OciException a failure is, or wraps as the cause of a future; null when it is a bug. */
  static @Nullable OciException unwrap(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 4; depth++) {
      if (t instanceof OciException oci) {
        return oci;
      }
      if (!(t instanceof CompletionException || t instanceof ExecutionException)) {
        return null;
      }
      t = t.getCause();
    }
    return null;
  }
}

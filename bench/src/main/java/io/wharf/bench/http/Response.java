package io.wharf.bench.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * What came back for one request; the body itself is counted (and hashed where asked), not kept,
 * except for small bodies a request asked for and the start of an error body.
 *
 * @param status the HTTP status
 * @param headers the response headers
 * @param bodyBytes body bytes received
 * @param startNanos {@link System#nanoTime()} when the request was handed to the connection
 * @param firstByteNanos when the response head arrived (time to first byte)
 * @param endNanos when the last body byte arrived
 * @param sha256 {@code sha256:<hex>} of the body if the request asked for it, else null
 * @param body the kept start of the body (possibly empty)
 */
public record Response(int status, HttpHeaders headers, long bodyBytes, long startNanos,
    long firstByteNanos, long endNanos, @Nullable String sha256, byte[] body) {

  public long totalNanos() {
    return endNanos - startNanos;
  }

  public long ttfbNanos() {
    return firstByteNanos - startNanos;
  }

  public @Nullable String header(CharSequence name) {
    return headers.get(name);
  }

  /** Content-Length, or -1 if absent or not a number. */
  public long contentLength() {
    String v = headers.get("Content-Length");
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** A one-line description for error lists: status and the start of the body. */
  public String describe() {
    String text = bodyText().replaceAll("\\s+", " ").trim();
    if (text.length() > 200) {
      text = text.substring(0, 200) + "...";
    }
    return "HTTP " + status + (text.isEmpty() ? "" : " " + text);
  }
}

package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpUtil;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A small JSON request body of the admin API, held in memory up to a cap ({@link #MAX_SIZE}): a
 * larger one is refused with 413 as soon as its {@code Content-Length} or its bytes say so, never
 * buffered whole.
 */
final class JsonBody implements BodyConsumer {
  /** The cap on an admin API JSON body: 64 KiB is far more than any of them needs. */
  static final int MAX_SIZE = 64 * 1024;

  private final int maxSize;
  private final Consumer<JsonNode> handler;
  private byte[] bytes = new byte[1024];
  private int size;

  private JsonBody(int maxSize, Consumer<JsonNode> handler) {
    this.maxSize = maxSize;
    this.handler = requireNonNull(handler, "handler");
  }

  /**
   * Reads the request's body, then hands {@code handler} the JSON object in it.
   *
   * @throws OciException SIZE_INVALID (413) at once when the declared length is over the cap
   */
  static JsonBody of(Exchange exchange, Consumer<JsonNode> handler) {
    return of(exchange, MAX_SIZE, handler);
  }

  static JsonBody of(Exchange exchange, int maxSize, Consumer<JsonNode> handler) {
    long declared = HttpUtil.getContentLength(exchange.request(), -1L);
    if (declared > maxSize) {
      throw tooLarge(maxSize);
    }
    return new JsonBody(maxSize, handler);
  }

  @Override
  public void content(ByteBuf content) {
    int n = content.readableBytes();
    if ((long) size + n > maxSize) {
      throw tooLarge(maxSize);
    }
    if (size + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.min(maxSize, Math.max(size + n, bytes.length * 2)));
    }
    content.getBytes(content.readerIndex(), bytes, size, n);
    size += n;
  }

  @Override
  public void end() {
    JsonNode node;
    try {
      node = size == 0 ? null : Responses.mapper().readTree(bytes, 0, size);
    } catch (IOException e) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "the request body is not JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "the request body must be a JSON object");
    }
    bytes = new byte[0];
    handler.accept(node);
  }

  @Override
  public void abort() {
    bytes = new byte[0];
  }

  private static OciException tooLarge(int maxSize) {
    return OciException.withStatus(OciError.SIZE_INVALID, 413, "the request body is over " + maxSize + " bytes");
  }

  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}

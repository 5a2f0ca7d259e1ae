package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.SmallBody;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A small JSON request body of the admin API, held in memory up to a cap ({@link #MAX_SIZE}) by a
 * {@link SmallBody}, then parsed: anything but a JSON object is refused with 400.
 */
final class JsonBody {
  /** The cap on an admin API JSON body: 64 KiB is far more than any of them needs. */
  static final int MAX_SIZE = 64 * 1024;

  private JsonBody() {}

  /**
   * Reads the request's body, then hands {@code handler} the JSON object in it.
   *
   * @throws OciException SIZE_INVALID (413) at once when the declared length is over the cap
   */
  static BodyConsumer of(Exchange exchange, Consumer<JsonNode> handler) {
    return of(exchange, MAX_SIZE, handler);
  }

  static BodyConsumer of(Exchange exchange, int maxSize, Consumer<JsonNode> handler) {
    requireNonNull(handler, "handler");
    return SmallBody.of(exchange, maxSize, bytes -> handler.accept(parse(bytes)));
  }

  private static JsonNode parse(byte[] bytes) {
    JsonNode node;
    try {
      node = bytes.length == 0 ? null : Responses.mapper().readTree(bytes);
    } catch (IOException e) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "the request body is not JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "the request body must be a JSON object");
    }
    return node;
  }

  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}

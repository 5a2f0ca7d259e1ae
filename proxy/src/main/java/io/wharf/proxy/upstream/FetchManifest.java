package io.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.manifest.MediaTypes;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * A manifest GET's 2xx answer: the exact bytes (at most 4 MiB, distribution's cap; more is
 * MANIFEST_INVALID), the bare media type of its Content-Type, and its digest header as sent.
 */
final class FetchManifest {
  /** Larger manifests are MANIFEST_INVALID. */
  static final int MAX_BYTES = 4 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private FetchManifest() {}

  static CompletableFuture<FetchedManifest> read(CallHandler r) {
    return r.readAll(MAX_BYTES).handle((body, e) -> {
      if (e == null) {
        return manifest(r, body);
      }
      Throwable c = CallHandler.unwrap(e);
      if (c instanceof CallHandler.BodyTooLargeException) {
        throw new OciException(OciError.MANIFEST_INVALID, "upstream manifest is larger than " + MAX_BYTES + " bytes", "too large");
      }
      throw CallHandler.rethrow(c);
    });
  }

  private static FetchedManifest manifest(CallHandler r, byte[] body) {
    String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
    String mediaType = type == null || type.isBlank() ? sniffMediaType(body) : MediaTypes.bare(type);
    String d = r.headers().get(HeadManifest.DIGEST_HEADER);
    return new FetchedManifest(body, mediaType, d == null || d.isBlank() ? null : d.trim());
  }

  /** The manifest's own {@code mediaType} field, for an upstream that sent no Content-Type. */
  private static String sniffMediaType(byte[] body) {
    try {
      JsonNode t = JSON.readTree(body).get("mediaType");
      if (t != null && t.isTextual() && !t.asText().isBlank()) {
        return t.asText().trim().toLowerCase(Locale.ROOT);
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the manifest parser downstream says so
    }
    return "application/octet-stream";
  }
}

package io.wharf.proxy.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Turns an upstream's error status into the {@link OciException} a caller sees, keeping its
 * meaning (distribution's {@code toErrcodeErrors}): 401 UNAUTHORIZED, 403 DENIED, 404
 * MANIFEST_UNKNOWN / BLOB_UNKNOWN (NAME_UNKNOWN when the upstream said so), 416 RANGE_INVALID, 429
 * TOOMANYREQUESTS, 5xx UNAVAILABLE. The detail is {@code upstream <status>}, then the upstream's
 * own {@code CODE: message} from its JSON error body when it sent one.
 */
final class UpstreamErrors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TEXT = 200;

  /** What was asked, which decides what a 404 means. */
  enum Target {
    MANIFEST,
    BLOB,
    TOKEN
  }

  private UpstreamErrors() {}

  /** The failure for a final (not retried, or retries spent) error status. */
  static OciException forStatus(int status, byte @Nullable [] body, Target target) {
    String text = errorText(body);
    String upstreamCode = errorCode(body);
    OciError error;
    if (target == Target.TOKEN) {
      error = status == 401 ? OciError.UNAUTHORIZED : status == 403 ? OciError.DENIED
          : status == 429 ? OciError.TOOMANYREQUESTS : OciError.UNAVAILABLE;
      return new OciException(error, error.message(), "token endpoint " + status + (text == null ? "" : ": " + text));
    }
    switch (status) {
      case 401 -> error = OciError.UNAUTHORIZED;
      case 403 -> error = OciError.DENIED;
      case 404 -> error = "NAME_UNKNOWN".equals(upstreamCode) ? OciError.NAME_UNKNOWN
          : target == Target.MANIFEST ? OciError.MANIFEST_UNKNOWN : OciError.BLOB_UNKNOWN;
      case 416 -> error = OciError.RANGE_INVALID;
      case 429 -> error = OciError.TOOMANYREQUESTS;
      default -> error = status >= 400 && status < 500 ? clientError(upstreamCode) : OciError.UNAVAILABLE;
    }
    return of(error, status, text);
  }

  static OciException of(OciError error, int status, @Nullable String upstreamText) {
    return new OciException(error, error.message(), "upstream " + status + (upstreamText == null ? "" : ": " + upstreamText));
  }

  /** An upstream 4xx whose code we know keeps it (NAME_INVALID, TAG_INVALID...); others are UNAVAILABLE. */
  private static OciError clientError(@Nullable String upstreamCode) {
    if (upstreamCode != null) {
      for (OciError e : OciError.values()) {
        if (e.code().equals(upstreamCode) && e.status() >= 400 && e.status() < 500) {
          return e;
        }
      }
    }
    return OciError.UNAVAILABLE;
  }

  /** {@code CODE: message} of the first error of a distribution error body, or null. */
  static @Nullable String errorText(byte @Nullable [] body) {
    JsonNode first = firstError(body);
    if (first == null) {
      return null;
    }
    String code = first.path("code").asText("");
    String message = first.path("message").asText("");
    String text = code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message;
    if (text.isEmpty()) {
      return null;
    }
    text = text.replaceAll("\\p{Cntrl}", " ");
    return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
  }

  private static @Nullable String errorCode(byte @Nullable [] body) {
    JsonNode first = firstError(body);
    String code = first == null ? "" : first.path("code").asText("");
    return code.isEmpty() ? null : code;
  }

  private static @Nullable JsonNode firstError(byte @Nullable [] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      return errors.isArray() && !errors.isEmpty() && errors.get(0).isObject() ? errors.get(0) : null;
    } catch (IOException e) {
      return null;
    }
  }
}

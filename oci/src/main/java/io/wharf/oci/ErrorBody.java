package io.wharf.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The spec's error body, {@code {"errors":[{"code":..,"message":..,"detail":..}]}}, as bytes. */
public final class ErrorBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorBody() {}

  /** Renders one exception as the JSON body a client receives. */
  public static byte[] of(OciException e) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode errors = root.putArray("errors");
    ObjectNode err = errors.addObject();
    err.put("code", e.error().code());
    err.put("message", e.getMessage());
    if (e.detail() != null) {
      err.put("detail", e.detail());
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException impossible) {
      // a tree of strings always serialises; keep a valid body anyway
      return ("{\"errors\":[{\"code\":\"" + e.error().code() + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }
  }
}

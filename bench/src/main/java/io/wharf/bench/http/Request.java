package io.wharf.bench.http;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as the load generator sends it: immutable, so a load loop builds it once and
 * sends it thousands of times.
 *
 * @param method the method
 * @param target the request target: an absolute path with its query ({@code /v2/x/blobs/sha256:..})
 * @param headers extra headers, in order ({@code Host} and {@code User-Agent} are added by the
 *     connection)
 * @param body the request body, or null for none
 * @param sha256 whether the response body is hashed (costs client CPU: only where verified)
 * @param keepBody how many bytes of the response body to keep in {@link Response#body()}; error
 *     bodies up to a small limit are kept anyway, for error messages
 * @param userAgent the {@code User-Agent}, which the upstream access log shows
 */
public record Request(HttpMethod method, String target, List<Map.Entry<String, String>> headers,
    @Nullable Body body, boolean sha256, int keepBody, String userAgent) {

  /** The user agent of every request unless a scenario marks its own (direct upstream GETs). */
  public static final String DEFAULT_USER_AGENT = "wharf-bench/1";

  public Request {
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("request target must be an absolute path: " + target);
    }
    headers = List.copyOf(headers);
    requireNonNull(userAgent, "userAgent");
    if (keepBody < 0) {
      throw new IllegalArgumentException("keepBody < 0");
    }
  }

  public static Request get(String target) {
    return new Request(HttpMethod.GET, target, List.of(), null, false, 0, DEFAULT_USER_AGENT);
  }

  public static Request head(String target) {
    return new Request(HttpMethod.HEAD, target, List.of(), null, false, 0, DEFAULT_USER_AGENT);
  }

  public static Request of(HttpMethod method, String target) {
    return new Request(method, target, List.of(), null, false, 0, DEFAULT_USER_AGENT);
  }

  public Request withHeader(String name, String value) {
    var h = new ArrayList<>(headers);
    h.add(Map.entry(name, value));
    return new Request(method, target, h, body, sha256, keepBody, userAgent);
  }

  public Request withBody(Body newBody) {
    return new Request(method, target, headers, requireNonNull(newBody, "body"), sha256, keepBody, userAgent);
  }

  /** Hash the response body with SHA-256 as it streams. */
  public Request hashing() {
    return new Request(method, target, headers, body, true, keepBody, userAgent);
  }

  /** Keep up to {@code limit} bytes of the response body (for small JSON answers). */
  public Request keepingBody(int limit) {
    return new Request(method, target, headers, body, sha256, limit, userAgent);
  }

  public Request withUserAgent(String agent) {
    return new Request(method, target, headers, body, sha256, keepBody, agent);
  }

  /** Whether a failure before any response byte may be retried on a fresh connection. */
  boolean replayable() {
    return body == null || body.replayable();
  }

  @Override
  public String toString() {
    return method + " " + target;
  }
}

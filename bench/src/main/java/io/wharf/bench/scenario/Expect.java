package io.wharf.bench.scenario;

import io.wharf.bench.http.Response;
import org.jspecify.annotations.Nullable;

/**
 * What a correct answer looks like: the status, and the body length (for a HEAD, the
 * Content-Length header, when the server sends one).
 *
 * @param status the expected status
 * @param length the expected body length, or -1 for any
 * @param head true for a HEAD request
 * @param digest the expected body digest where hashed, or null
 */
public record Expect(int status, long length, boolean head, @Nullable String digest) {

  public static Expect ok(long length) {
    return new Expect(200, length, false, null);
  }

  public static Expect okHead(long length) {
    return new Expect(200, length, true, null);
  }

  public Expect withDigest(String d) {
    return new Expect(status, length, head, d);
  }

  /** What is wrong with {@code r}, or null if nothing. */
  public @Nullable String problem(Response r) {
    if (r.status() != status) {
      return "expected " + status + ", got " + r.describe();
    }
    if (head) {
      long cl = r.contentLength();
      if (length >= 0 && cl >= 0 && cl != length) {
        return "HEAD Content-Length " + cl + ", expected " + length;
      }
    } else if (length >= 0 && r.bodyBytes() != length) {
      return "body of " + r.bodyBytes() + " bytes, expected " + length;
    }
    if (digest != null && r.sha256() != null && !digest.equals(r.sha256())) {
      return "body digest " + r.sha256() + ", expected " + digest;
    }
    return null;
  }

  /** True if the status is right (a wrong status counts as non-200, a wrong body as an error). */
  public boolean statusOk(Response r) {
    return r.status() == status;
  }
}

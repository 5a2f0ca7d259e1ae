package io.wharf.proxy.route;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import org.jspecify.annotations.Nullable;

/**
 * How many body bytes each kind of request may carry, in one place: the cap holds for a body a
 * route reads and for one it drops alike (a request over it is answered 413 and its connection
 * closed, see {@code RouteHandler}).
 *
 * <ul>
 *   <li>Blob uploads ({@code POST}, {@code PATCH}, {@code PUT} of an upload): unbounded; a blob
 *       can be many GiB, and the disk and the quota bound it.
 *   <li>Manifest {@code PUT}: {@code server.maxManifestSize}, since the route holds it in memory.
 *   <li>The admin API: {@link #ADMIN_JSON}, its JSON bodies being small.
 *   <li>Everything else (reads, {@code /v2/}, the token endpoint, deletes): takes no body; up to
 *       {@link #NO_BODY} bytes are read and dropped, for clients that send a stray one.
 * </ul>
 *
 * <p>Thread-safe (immutable).
 */
public final class BodyLimits {
  /** A body no route reads: tolerated and dropped up to this, refused past it. */
  public static final long NO_BODY = 8 * 1024;
  /** The admin API's JSON bodies. */
  public static final long ADMIN_JSON = 64 * 1024;
  /** An upload's body: no cap here. */
  public static final long UNBOUNDED = Long.MAX_VALUE;

  private final long maxManifestSize;

  /** @param maxManifestSize {@code server.maxManifestSize}, in bytes */
  public BodyLimits(long maxManifestSize) {
    if (maxManifestSize < 1) {
      throw new IllegalArgumentException("maxManifestSize must be positive");
    }
    this.maxManifestSize = maxManifestSize;
  }

  /**
   * The most body bytes this request may carry.
   *
   * @param route the parsed request, or null when it could not be parsed (then it takes no body)
   */
  public long maxBody(@Nullable Route route) {
    if (route == null) {
      return NO_BODY;
    }
    HttpMethod method = route.method();
    return switch (route.kind()) {
      case UPLOAD_START, UPLOAD -> method.equals(HttpMethod.POST) || method.equals(HttpMethod.PATCH)
          || method.equals(HttpMethod.PUT) ? UNBOUNDED : NO_BODY;
      case MANIFEST -> method.equals(HttpMethod.PUT) ? maxManifestSize : NO_BODY;
      case ADMIN -> ADMIN_JSON;
      default -> NO_BODY;
    };
  }

  /** The 413 for a body of {@code size} bytes (so far, or declared) over this request's cap. */
  public OciException tooLarge(@Nullable Route route, long size) {
    long max = maxBody(route);
    if (route != null && route.kind() == Route.Kind.MANIFEST && max == maxManifestSize) {
      // the error ManifestParser gives too, for clients that learned registry:2's
      return OciException.withStatus(
          OciError.MANIFEST_INVALID, 413, "manifest larger than " + max + " bytes (" + size + ")");
    }
    return OciException.withStatus(
        OciError.SIZE_INVALID, 413, "request body larger than " + max + " bytes (" + size + ")");
  }
}

package io.wharf.proxy.upstream;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The redirect rules: which statuses are followed (301, 302, 303, 307, 308; a GET or HEAD stays
 * what it was, which RFC 9110 allows for 303 too), how far (5 hops; a blob CDN takes one or two),
 * where to (http or https only), and with what: the
 * Authorization header only ever goes to the origin it was issued for, never to a CDN host, nor
 * from https down to http on the same host (DESIGN.md, "Blob fetch").
 */
final class Redirects {
  static final int MAX_HOPS = 5;

  private Redirects() {}

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * The next URL.
   *
   * @param from the URL that answered with the redirect
   * @param location its Location header, maybe relative
   * @param hops redirects followed so far
   * @throws OciException UNAVAILABLE when there is no Location, it is not http(s), or past the hop limit
   */
  static URI next(URI from, @Nullable String location, int hops) {
    if (hops >= MAX_HOPS) {
      throw new OciException(OciError.UNAVAILABLE, "upstream redirected more than " + MAX_HOPS + " times", "too many redirects");
    }
    if (location == null || location.isBlank()) {
      throw new OciException(OciError.UNAVAILABLE, "upstream redirect without a Location", "bad redirect");
    }
    URI to;
    try {
      to = from.resolve(new URI(location.trim()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      to = lenient(from, location.trim());
    }
    String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https")) || to.getHost() == null) {
      throw new OciException(OciError.UNAVAILABLE, "upstream redirected to a non-http URL", "bad redirect");
    }
    return to;
  }

  /** Whether a request to {@code to} may carry the Authorization issued for {@code owner}. */
  static boolean mayCarryAuthorization(Origin owner, URI to) {
    return owner.equals(Origin.of(to));
  }

  /** Some CDNs put raw characters (spaces, |) in pre-signed URLs: quote what URI refuses. */
  private static URI lenient(URI from, String location) {
    StringBuilder b = new StringBuilder();
    for (char c : location.toCharArray()) {
      if (c <= 0x20 || c >= 0x7f || "\"<>\\^`{|}".indexOf(c) >= 0) {
        for (byte x : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
          b.append('%').append(String.format("%02X", x & 0xff));
        }
      } else {
        b.append(c);
      }
    }
    try {
      return from.resolve(new URI(b.toString()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new OciException(OciError.UNAVAILABLE, "upstream redirected to an unparseable Location", "bad redirect");
    }
  }
}

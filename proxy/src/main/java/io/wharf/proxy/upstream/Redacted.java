package io.wharf.proxy.upstream;

import java.net.URI;

/**
 * URLs as they may be logged: no user info and no query, which is where pre-signed CDN URLs and
 * token endpoints carry their secrets (distribution's {@code Redacted()}).
 */
final class Redacted {
  private Redacted() {}

  static String url(URI url) {
    StringBuilder b = new StringBuilder();
    if (url.getScheme() != null) {
      b.append(url.getScheme()).append("://");
    }
    if (url.getRawAuthority() != null) {
      String authority = url.getRawAuthority();
      int at = authority.lastIndexOf('@');
      b.append(at >= 0 ? authority.substring(at + 1) : authority);
    }
    if (url.getRawPath() != null) {
      b.append(url.getRawPath());
    }
    if (url.getRawQuery() != null) {
      b.append("?<redacted>");
    }
    return b.toString();
  }
}

package io.wharf.proxy.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A request's URI as logs may show it: the value of every query parameter whose name looks like a
 * secret ({@code password}, {@code token}, {@code secret}, {@code client_secret}, {@code api_key},
 * {@code X-Amz-Signature}, ...) replaced by {@link #MASK}, and user info dropped from an
 * absolute-form URI. Parameters of the API ({@code digest}, {@code n}, {@code last}, {@code ns},
 * {@code mount}, {@code from}, and the token endpoint's {@code account}, {@code scope},
 * {@code service}) stay readable.
 */
final class RedactedUri {
  static final String MASK = "REDACTED";
  /** Parts of a parameter name (lower case) that make its value a secret. */
  private static final List<String> SECRET_NAMES =
      List.of("pass", "pwd", "secret", "token", "auth", "key", "sig", "cred", "session", "cookie");

  private RedactedUri() {}

  static String of(String uri) {
    String s = withoutUserInfo(uri);
    int q = s.indexOf('?');
    if (q < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length()).append(s, 0, q + 1);
    String[] params = s.substring(q + 1).split("&", -1);
    for (int i = 0; i < params.length; i++) {
      if (i > 0) {
        b.append('&');
      }
      String p = params[i];
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      if (eq >= 0 && secret(name)) {
        b.append(name).append('=').append(MASK);
      } else {
        b.append(p);
      }
    }
    return b.toString();
  }

  private static boolean secret(String rawName) {
    String name;
    try {
      name = URLDecoder.decode(rawName, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      name = rawName; // a broken escape: judge the name as sent
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (String part : SECRET_NAMES) {
      if (lower.contains(part)) {
        return true;
      }
    }
    return false;
  }

  // "http://user:pass@host/v2/" (absolute form, as sent to proxies) -> "http://host/v2/"
  private static String withoutUserInfo(String uri) {
    int scheme = uri.indexOf("://");
    if (scheme < 0 || scheme > uri.indexOf('/')) {
      return uri;
    }
    int start = scheme + 3;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    int at = uri.lastIndexOf('@', end - 1);
    return at < start ? uri : uri.substring(0, start) + uri.substring(at + 1);
  }
}

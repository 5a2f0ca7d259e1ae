package io.wharf.proxy.metrics;

import java.util.Locale;

/**
 * The {@code route} label of a request: which kind of resource its URI names, read the way the
 * Router reads it (from the right, so {@code /v2/a/manifests/b/manifests/latest} is a manifest)
 * but without validating or decoding anything and without ever throwing, so a request the Router
 * refuses is still counted, under its shape. The values are few and fixed: {@code base},
 * {@code catalog}, {@code manifest}, {@code blob}, {@code upload}, {@code tags},
 * {@code referrers}, {@code metrics}, {@code healthz}, {@code readyz} and {@code other}.
 *
 * <p>Thread-safe and stateless.
 */
public final class RouteLabel {
  public static final String BASE = "base";
  public static final String CATALOG = "catalog";
  public static final String MANIFEST = "manifest";
  public static final String BLOB = "blob";
  public static final String UPLOAD = "upload";
  public static final String TAGS = "tags";
  public static final String REFERRERS = "referrers";
  public static final String METRICS = "metrics";
  public static final String HEALTHZ = "healthz";
  public static final String READYZ = "readyz";
  public static final String OTHER = "other";

  private RouteLabel() {}

  /** The label of a request target (origin or absolute form). */
  public static String of(String uri) {
    String path = path(uri);
    switch (path) {
      case "/metrics":
        return METRICS;
      case "/healthz":
        return HEALTHZ;
      case "/readyz":
        return READYZ;
      case "/v2":
      case "/v2/":
        return BASE;
      case "/v2/_catalog":
        return CATALOG;
      default:
        break;
    }
    if (!path.startsWith("/v2/")) {
      return OTHER;
    }
    String[] s = path.substring(4).split("/", -1);
    int k = s.length;
    String last = s[k - 1];
    String second = k >= 2 ? s[k - 2] : "";
    String third = k >= 3 ? s[k - 3] : "";
    if (k >= 3 && last.equals("uploads") && second.equals("blobs")) {
      return UPLOAD;
    }
    if (k >= 4 && second.equals("uploads") && third.equals("blobs")) {
      return UPLOAD; // a session, or the trailing slash of a start
    }
    if (k >= 3) {
      switch (second) {
        case "manifests":
          return MANIFEST;
        case "blobs":
          return BLOB;
        case "referrers":
          return REFERRERS;
        case "tags":
          return last.equals("list") ? TAGS : OTHER;
        default:
          break;
      }
    }
    return OTHER;
  }

  /** The path of a target, without query or fragment, and without scheme and host. */
  private static String path(String uri) {
    String target = uri;
    String lower = uri.length() > 8 ? uri.substring(0, 8).toLowerCase(Locale.ROOT) : uri.toLowerCase(Locale.ROOT);
    int schemeEnd = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
    if (schemeEnd >= 0) {
      int slash = uri.indexOf('/', schemeEnd);
      target = slash < 0 ? "/" : uri.substring(slash);
    }
    int end = target.length();
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    return target.substring(0, end);
  }
}

package io.wharf.proxy.route;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import org.jspecify.annotations.Nullable;

/**
 * The {@code n} and {@code last} parameters of the paginated listings (tags, catalog).
 *
 * <p>{@code n} is a whole number from 0 to {@link #MAX}; absent means {@link #MAX} (more follow
 * through {@code Link}). Anything else is PAGINATION_NUMBER_INVALID, as distribution answers an
 * {@code n} past its {@code maxentries}.
 */
record Pagination(@Nullable String last, int n) {
  /** The largest page a client may ask for, and the page it gets when it does not ask. */
  static final int MAX = 10_000;

  static Pagination of(Route route) {
    String last = route.param("last");
    return new Pagination(last == null || last.isEmpty() ? null : last, pageSize(route.param("n")));
  }

  private static int pageSize(@Nullable String n) {
    if (n == null) {
      return MAX;
    }
    if (n.isEmpty() || n.length() > 5) {
      throw invalid(n);
    }
    int value = 0;
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid(n);
      }
      value = value * 10 + (c - '0');
    }
    if (value > MAX) {
      throw invalid(n);
    }
    return value;
  }

  private static OciException invalid(String n) {
    return new OciException(
        OciError.PAGINATION_NUMBER_INVALID, "n must be a number from 0 to " + MAX + ", got '" + Route.shorten(n) + "'");
  }
}

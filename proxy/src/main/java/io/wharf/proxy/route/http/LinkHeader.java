package io.wharf.proxy.route.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Link: <url>; rel="next"} header of paginated listings (tags and catalog), as the
 * distribution spec writes it: {@code </v2/<name>/tags/list?last=<last>&n=<n>>; rel="next"}.
 */
public final class LinkHeader {
  private LinkHeader() {}

  /**
   * The header pointing at the page after {@code last}.
   *
   * @param path the listing's path, e.g. {@code /v2/spectro-images/app/tags/list}
   * @param last the last item of this page
   * @param n the page size the client asked for
   */
  public static String next(String path, String last, int n) {
    return "<" + path + "?last=" + URLEncoder.encode(last, StandardCharsets.UTF_8) + "&n=" + n
        + ">; rel=\"next\"";
  }

  /**
   * The target of the {@code rel="next"} link in a {@code Link} header, for following a listing
   * (clients and tests); empty when there is none or the header does not parse.
   */
  public static Optional<String> parseNext(@Nullable String header) {
    if (header == null) {
      return Optional.empty();
    }
    int at = 0;
    while (at < header.length()) {
      int open = header.indexOf('<', at);
      int close = open < 0 ? -1 : header.indexOf('>', open);
      if (close < 0) {
        return Optional.empty();
      }
      String target = header.substring(open + 1, close);
      int nextLink = header.indexOf('<', close);
      String params = header.substring(close + 1, nextLink < 0 ? header.length() : nextLink);
      for (String p : params.split(";")) {
        String param = p.trim().replace(" ", "");
        if (param.equalsIgnoreCase("rel=\"next\"") || param.equalsIgnoreCase("rel=next")) {
          return Optional.of(target);
        }
      }
      at = nextLink < 0 ? header.length() : nextLink;
    }
    return Optional.empty();
  }
}

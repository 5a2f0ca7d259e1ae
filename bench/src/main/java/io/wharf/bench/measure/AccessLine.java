package io.wharf.bench.measure;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request line of docker-registry's access log (Apache combined format):
 * {@code 127.0.0.1 - - [24/Nov/2026:23:58:48 +0000] "GET /v2/x/blobs/sha256:.. HTTP/1.1" 200 1073741824 "" "Go-http-client/1.1"}.
 *
 * @param method the request method
 * @param path the request target, query included
 * @param status the response status
 * @param bytes body bytes sent (0 for "-")
 * @param userAgent the client's User-Agent ("" if absent)
 */
public record AccessLine(String method, String path, int status, long bytes, String userAgent) {

  private static final Pattern COMBINED = Pattern.compile(
      "^\\s*\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"(\\S+) (\\S+)(?: [^\"]*)?\" (\\d{3}) (\\d+|-)(?: \"(?:[^\"\\\\]|\\\\.)*\" \"((?:[^\"\\\\]|\\\\.)*)\")?");

  /** The access line in {@code line}, or empty for anything else (application log lines). */
  public static Optional<AccessLine> parse(String line) {
    Matcher m = COMBINED.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    long bytes = m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4));
    String agent = m.group(5) == null ? "" : m.group(5);
    return Optional.of(new AccessLine(m.group(1), m.group(2), Integer.parseInt(m.group(3)), bytes, agent));
  }

  /** True if the request named {@code digest} (a blob or manifest by digest). */
  public boolean mentions(String digest) {
    return path.contains(digest);
  }

  public boolean isGet() {
    return method.equals("GET");
  }

  public boolean isHead() {
    return method.equals("HEAD");
  }
}

package io.wharf.proxy.route;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.route.Route.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns a request's method and URI into a {@link Route}, validating every part with the oci types.
 *
 * <p>Paths of the distribution API, matched from the RIGHT because a repository name may itself
 * contain {@code manifests}, {@code blobs}, {@code tags} or {@code uploads} components
 * ({@code /v2/a/manifests/b/manifests/latest} is the manifest {@code latest} of {@code a/manifests/b}):
 *
 * <pre>
 * /v2/                                  BASE          GET HEAD
 * /v2/_catalog                          CATALOG       GET HEAD
 * /v2/NAME/manifests/REFERENCE          MANIFEST      GET HEAD PUT DELETE
 * /v2/NAME/blobs/DIGEST                 BLOB          GET HEAD DELETE
 * /v2/NAME/blobs/uploads/               UPLOAD_START  POST
 * /v2/NAME/blobs/uploads/ID             UPLOAD        GET PATCH PUT DELETE
 * /v2/NAME/tags/list                    TAGS          GET HEAD
 * /v2/NAME/referrers/DIGEST             REFERRERS     GET HEAD
 * /metrics                              METRICS       GET HEAD
 * /healthz                              HEALTH        GET HEAD
 * /readyz                               READY         GET HEAD
 * /service/token                        TOKEN         GET POST
 * /api/wharf/v1/...                     ADMIN         any (the admin API checks its own methods)
 * </pre>
 *
 * <p>The path is percent-decoded once, segment by segment. A segment that decodes to something
 * containing {@code /} or {@code \}, a NUL or any control or non-ASCII character, a {@code .} or
 * {@code ..} segment, an empty segment (other than the trailing slash of {@code /v2/} and
 * {@code /blobs/uploads/}) or malformed percent-encoding is NAME_INVALID: nothing un-decoded or
 * path-like ever reaches storage. A wrong method on a known path is UNSUPPORTED (405); an
 * unknown path under {@code /v2/} is NAME_UNKNOWN (404); any other path outside {@code /v2} is
 * NOT_FOUND, left to other handlers (the console) as they come.
 *
 * <p>Thread-safe and stateless.
 */
public final class Router {
  /** Query parameters a request may carry; more is hostile. */
  private static final int MAX_PARAMS = 64;
  /** Upload session ids: what {@code LocalRegistry} hands out (UUIDs), with room for other stores. */
  private static final int MAX_UPLOAD_ID = 128;

  private static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD);
  /** The admin API's prefix: its paths and methods are the {@link AdminEndpoint}'s to check. */
  public static final String ADMIN_PREFIX = "/api/wharf/v1/";
  /** Docker token auth's token endpoint (the challenge's realm). */
  public static final String TOKEN_PATH = "/service/token";
  /** wharf's own endpoints outside the API, matched exactly; their query is ignored. */
  private static final Map<String, Kind> OPERATIONAL =
      Map.of("/metrics", Kind.METRICS, "/healthz", Kind.HEALTH, "/readyz", Kind.READY);
  private static final Set<HttpMethod> MANIFEST =
      Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE);
  private static final Set<HttpMethod> BLOB = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE);
  private static final Set<HttpMethod> UPLOAD_START = Set.of(HttpMethod.POST);
  private static final Set<HttpMethod> TOKEN = Set.of(HttpMethod.GET, HttpMethod.POST);
  private static final Set<HttpMethod> UPLOAD =
      Set.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);

  /**
   * Reads one request line's method and target.
   *
   * @param uri the request target as received: origin form ({@code /v2/...?q}) or absolute form
   * @throws OciException NAME_INVALID, TAG_INVALID, DIGEST_INVALID, BLOB_UPLOAD_UNKNOWN (a
   *     malformed upload id), NAME_UNKNOWN (no such resource) or UNSUPPORTED (wrong method: 405;
   *     malformed query: 400)
   */
  public Route parse(HttpMethod method, String uri) {
    String target = originForm(uri);
    int q = target.indexOf('?');
    String rawPath = q < 0 ? target : target.substring(0, q);
    String rawQuery = q < 0 ? "" : target.substring(q + 1);
    if (!rawPath.equals("/v2") && !rawPath.startsWith("/v2/")) {
      Kind operational = OPERATIONAL.get(rawPath);
      if (operational != null) {
        return route(operational, READ, method, rawPath, null, null, null, null, Map.of());
      }
      if (rawPath.equals(TOKEN_PATH)) {
        return route(Kind.TOKEN, TOKEN, method, rawPath, null, null, null, null, query(rawQuery));
      }
      if (rawPath.startsWith(ADMIN_PREFIX)) {
        return new Route(Kind.ADMIN, method, rawPath, null, null, null, null, query(rawQuery));
      }
      return new Route(Kind.NOT_FOUND, method, rawPath, null, null, null, null, Map.of());
    }
    List<String> segments = decodeSegments(rawPath.length() <= 4 ? "" : rawPath.substring(4));
    String path = "/v2/" + String.join("/", segments);
    Map<String, List<String>> query = query(rawQuery);
    int k = segments.size();
    for (int i = 0; i < k - 1; i++) {
      if (segments.get(i).isEmpty()) {
        throw invalidPath(path, "empty path component");
      }
    }
    if (k == 0) {
      return route(Kind.BASE, READ, method, path, null, null, null, null, query);
    }
    if (k == 1 && segments.get(0).equals("_catalog")) {
      return route(Kind.CATALOG, READ, method, path, null, null, null, null, query);
    }
    String last = segments.get(k - 1);
    String second = k >= 2 ? segments.get(k - 2) : "";
    String third = k >= 3 ? segments.get(k - 3) : "";
    if (k >= 4 && last.isEmpty() && second.equals("uploads") && third.equals("blobs")) {
      return route(Kind.UPLOAD_START, UPLOAD_START, method, path, name(segments, k - 3), null, null, null, query);
    }
    if (last.isEmpty()) {
      throw invalidPath(path, "empty path component");
    }
    if (k >= 3 && last.equals("uploads") && second.equals("blobs")) {
      return route(Kind.UPLOAD_START, UPLOAD_START, method, path, name(segments, k - 2), null, null, null, query);
    }
    if (k >= 3 && second.equals("manifests")) {
      RepositoryName name = name(segments, k - 2);
      return route(Kind.MANIFEST, MANIFEST, method, path, name, ManifestReference.parse(last), null, null, query);
    }
    if (k >= 3 && second.equals("blobs")) {
      RepositoryName name = name(segments, k - 2);
      return route(Kind.BLOB, BLOB, method, path, name, null, Digest.parse(last), null, query);
    }
    if (k >= 4 && second.equals("uploads") && third.equals("blobs")) {
      RepositoryName name = name(segments, k - 3);
      return route(Kind.UPLOAD, UPLOAD, method, path, name, null, null, uploadId(last), query);
    }
    if (k >= 3 && last.equals("list") && second.equals("tags")) {
      return route(Kind.TAGS, READ, method, path, name(segments, k - 2), null, null, null, query);
    }
    if (k >= 3 && second.equals("referrers")) {
      RepositoryName name = name(segments, k - 2);
      return route(Kind.REFERRERS, READ, method, path, name, null, Digest.parse(last), null, query);
    }
    throw Route.notFound(path);
  }

  private static Route route(
      Kind kind,
      Set<HttpMethod> allowed,
      HttpMethod method,
      String path,
      @Nullable RepositoryName name,
      @Nullable ManifestReference reference,
      @Nullable Digest digest,
      @Nullable String uploadId,
      Map<String, List<String>> query) {
    if (!allowed.contains(method)) {
      throw new OciException(
          OciError.UNSUPPORTED, "method " + Route.shorten(method.name()) + " is not supported on " + Route.shorten(path));
    }
    return new Route(kind, method, path, name, reference, digest, uploadId, query);
  }

  private static RepositoryName name(List<String> segments, int end) {
    String name = String.join("/", segments.subList(0, end));
    if (name.length() > RepositoryName.MAX_LENGTH) {
      throw new OciException(
          OciError.NAME_INVALID, "name longer than " + RepositoryName.MAX_LENGTH + " characters");
    }
    return RepositoryName.parse(name);
  }

  private static String uploadId(String id) {
    if (id.length() > MAX_UPLOAD_ID || id.startsWith(".")) {
      throw unknownUpload(id);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      if (!ok) {
        throw unknownUpload(id);
      }
    }
    return id;
  }

  private static OciException unknownUpload(String id) {
    return new OciException(OciError.BLOB_UPLOAD_UNKNOWN, "unknown upload session: " + Route.shorten(id));
  }

  /** The path and query of an absolute-form target ({@code http://host/v2/}, RFC 9112 3.2.2). */
  private static String originForm(String uri) {
    String lower = uri.length() > 8 ? uri.substring(0, 8).toLowerCase(Locale.ROOT) : uri.toLowerCase(Locale.ROOT);
    int schemeEnd = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
    if (schemeEnd < 0) {
      return uri;
    }
    int slash = uri.indexOf('/', schemeEnd);
    int question = uri.indexOf('?', schemeEnd);
    if (slash < 0 || (question >= 0 && question < slash)) {
      return "/" + (question < 0 ? "" : uri.substring(question));
    }
    return uri.substring(slash);
  }

  /** The segments after {@code /v2/}, each decoded and checked. */
  private static List<String> decodeSegments(String rest) {
    List<String> out = new ArrayList<>();
    if (rest.isEmpty()) {
      return out;
    }
    String[] raw = rest.split("/", -1);
    for (String segment : raw) {
      out.add(decodeSegment(segment));
    }
    return out;
  }

  private static String decodeSegment(String raw) {
    String decoded = raw.indexOf('%') < 0 ? raw : percentDecode(raw);
    for (int i = 0; i < decoded.length(); i++) {
      char c = decoded.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '/' || c == '\\') {
        throw invalidPath(raw, c == '/' ? "encoded '/' in a path component" : "forbidden character in path");
      }
    }
    if (decoded.equals(".") || decoded.equals("..")) {
      throw invalidPath(raw, "'" + decoded + "' path component");
    }
    return decoded;
  }

  private static String percentDecode(String raw) {
    byte[] bytes = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw invalidPath(raw, "malformed percent-encoding");
        }
        bytes[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else if (c >= 0x80) {
        throw invalidPath(raw, "forbidden character in path");
      } else {
        bytes[n++] = (byte) c;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      throw invalidPath(raw, "malformed percent-encoding");
    }
  }

  private static Map<String, List<String>> query(String rawQuery) {
    if (rawQuery.isEmpty()) {
      return Map.of();
    }
    try {
      return QueryStringDecoder.builder()
          .hasPath(false)
          .maxParams(MAX_PARAMS)
          .semicolonIsNormalChar(true)
          .build(rawQuery)
          .parameters();
    } catch (IllegalArgumentException e) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "malformed query string");
    }
  }

  private static OciException invalidPath(String segment, String why) {
    return new OciException(OciError.NAME_INVALID, "invalid path: " + why + " in '" + Route.shorten(segment) + "'");
  }
}

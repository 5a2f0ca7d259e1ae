package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.Route.Kind;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One table of (method, URI) to what the router makes of it. */
final class RouterTest {
  private static final String D = "sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String ID = "6f1c2e2a-3c1d-4c6b-9d55-3f2e7a9b1c00";
  private static final String LONG_NAME = "a".repeat(200) + "/" + "b".repeat(55); // 256 characters

  private final Router router = new Router();

  /** method, uri, kind, name, reference, digest, upload id. */
  static Stream<Arguments> routes() {
    return Stream.of(
        row("GET", "/v2/", Kind.BASE, null, null, null, null),
        row("HEAD", "/v2/", Kind.BASE, null, null, null, null),
        row("GET", "/v2", Kind.BASE, null, null, null, null),
        row("GET", "http://127.0.0.1:5050/v2/", Kind.BASE, null, null, null, null),
        row("GET", "/v2/_catalog", Kind.CATALOG, null, null, null, null),
        row("GET", "/v2/_catalog?n=10&last=a", Kind.CATALOG, null, null, null, null),
        row("GET", "/v2/spectro-images/app/manifests/latest", Kind.MANIFEST, "spectro-images/app", "latest", null, null),
        row("HEAD", "/v2/spectro-images/app/manifests/" + D, Kind.MANIFEST, "spectro-images/app", D, null, null),
        row("PUT", "/v2/spectro-images/app/manifests/v1.0", Kind.MANIFEST, "spectro-images/app", "v1.0", null, null),
        row("DELETE", "/v2/spectro-images/app/manifests/" + D, Kind.MANIFEST, "spectro-images/app", D, null, null),
        row("GET", "/v2/spectro-images/app/manifests/sha256%3A" + D.substring(7), Kind.MANIFEST, "spectro-images/app", D, null, null),
        row("GET", "/v2/spectro-images/app/blobs/" + D, Kind.BLOB, "spectro-images/app", null, D, null),
        row("DELETE", "/v2/spectro-images/app/blobs/" + D, Kind.BLOB, "spectro-images/app", null, D, null),
        row("POST", "/v2/spectro-images/app/blobs/uploads/", Kind.UPLOAD_START, "spectro-images/app", null, null, null),
        row("POST", "/v2/spectro-images/app/blobs/uploads", Kind.UPLOAD_START, "spectro-images/app", null, null, null),
        row("POST", "/v2/spectro-images/app/blobs/uploads/?digest=" + D, Kind.UPLOAD_START, "spectro-images/app", null, null, null),
        row("PATCH", "/v2/spectro-images/app/blobs/uploads/" + ID, Kind.UPLOAD, "spectro-images/app", null, null, ID),
        row("PUT", "/v2/spectro-images/app/blobs/uploads/" + ID + "?digest=" + D, Kind.UPLOAD, "spectro-images/app", null, null, ID),
        row("GET", "/v2/spectro-images/app/blobs/uploads/" + ID, Kind.UPLOAD, "spectro-images/app", null, null, ID),
        row("DELETE", "/v2/spectro-images/app/blobs/uploads/" + ID, Kind.UPLOAD, "spectro-images/app", null, null, ID),
        row("GET", "/v2/spectro-images/app/tags/list", Kind.TAGS, "spectro-images/app", null, null, null),
        row("GET", "/v2/spectro-images/app/tags/list?n=2&last=b", Kind.TAGS, "spectro-images/app", null, null, null),
        row("GET", "/v2/spectro-images/app/referrers/" + D, Kind.REFERRERS, "spectro-images/app", null, D, null),
        // names that contain the API's own words: split from the right
        row("GET", "/v2/a/manifests/b/manifests/latest", Kind.MANIFEST, "a/manifests/b", "latest", null, null),
        row("GET", "/v2/manifests/manifests/manifests", Kind.MANIFEST, "manifests", "manifests", null, null),
        row("GET", "/v2/a/blobs/blobs/" + D, Kind.BLOB, "a/blobs", null, D, null),
        row("GET", "/v2/blobs/uploads/blobs/" + D, Kind.BLOB, "blobs/uploads", null, D, null),
        row("POST", "/v2/a/blobs/uploads/blobs/uploads/", Kind.UPLOAD_START, "a/blobs/uploads", null, null, null),
        row("PATCH", "/v2/uploads/blobs/uploads/" + ID, Kind.UPLOAD, "uploads", null, null, ID),
        row("GET", "/v2/tags/list/tags/list", Kind.TAGS, "tags/list", null, null, null),
        row("GET", "/v2/a/referrers/b/manifests/latest", Kind.MANIFEST, "a/referrers/b", "latest", null, null),
        row("GET", "/v2/a/tags/b/manifests/list", Kind.MANIFEST, "a/tags/b", "list", null, null),
        // the names of the upstream table (DESIGN.md): all valid names, resolution comes later
        row("GET", "/v2/library/nginx/manifests/latest?ns=docker.io", Kind.MANIFEST, "library/nginx", "latest", null, null),
        row("GET", "/v2/docker.io/library/nginx/manifests/1.27", Kind.MANIFEST, "docker.io/library/nginx", "1.27", null, null),
        row("GET", "/v2/upstream.test_5000/library/alpine/manifests/3", Kind.MANIFEST, "upstream.test_5000/library/alpine", "3", null, null),
        row("GET", "/v2/spectro-images/gcr.io/org/app/blobs/" + D, Kind.BLOB, "spectro-images/gcr.io/org/app", null, D, null),
        // wharf's operational endpoints, outside /v2
        row("GET", "/metrics", Kind.METRICS, null, null, null, null),
        row("GET", "/metrics?name[]=wharf_requests_total", Kind.METRICS, null, null, null, null),
        row("HEAD", "/healthz", Kind.HEALTH, null, null, null, null),
        row("GET", "/readyz", Kind.READY, null, null, null, null),
        // outside /v2: someone else's (the console)
        row("GET", "/metrics/", Kind.NOT_FOUND, null, null, null, null),
        row("GET", "/v2x/", Kind.NOT_FOUND, null, null, null, null),
        row("GET", "/", Kind.NOT_FOUND, null, null, null, null));
  }

  @ParameterizedTest(name = "[{index}] {0} {1} -> {2}")
  @MethodSource("routes")
  void routes(String method, String uri, Kind kind, String name, String reference, String digest, String uploadId) {
    Route route = router.parse(HttpMethod.valueOf(method), uri);

    assertThat(route.kind()).isEqualTo(kind);
    assertThat(route.method().name()).isEqualTo(method);
    assertThat(route.name() == null ? null : route.name().value()).isEqualTo(name);
    assertThat(route.reference() == null ? null : route.reference().toString()).isEqualTo(reference);
    assertThat(route.digest() == null ? null : route.digest().toString()).isEqualTo(digest);
    assertThat(route.uploadId()).isEqualTo(uploadId);
  }

  @ParameterizedTest(name = "[{index}] {0} {1} -> {2}")
  @MethodSource("refusals")
  void refuses(String method, String uri, OciError error, int status) {
    assertThatThrownBy(() -> router.parse(HttpMethod.valueOf(method), uri))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(error);
          assertThat(e.status()).isEqualTo(status);
        });
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        // the grammar: uppercase, separators, length
        refusal("GET", "/v2/Spectro-Images/app/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/-app/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app_/tags/list", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/" + LONG_NAME + "/tags/list", OciError.NAME_INVALID, 400),
        // path tricks: traversal, encoded separators, empty components, control characters
        refusal("GET", "/v2/spectro-images/../etc/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/..%2F..%2Fetc/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/%2e%2e/etc/blobs/" + D, OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/./app/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images%2Fapp/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images%2fapp/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images//app/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2//manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images\\app/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images%5capp/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app%00/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app%0a/manifests/latest", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/latest%", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/latest%zz", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/%c0%ae%c0%ae", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/%25252e%25252e/tags/list", OciError.NAME_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/..", OciError.NAME_INVALID, 400),
        // references and digests
        refusal("GET", "/v2/spectro-images/app/manifests/-latest", OciError.TAG_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/" + "t".repeat(129), OciError.TAG_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/manifests/sha256:abc", OciError.DIGEST_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/blobs/latest", OciError.DIGEST_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/blobs/md5:d41d8cd98f00b204e9800998ecf8427e", OciError.DIGEST_INVALID, 400),
        refusal("GET", "/v2/spectro-images/app/referrers/sha256:ABC", OciError.DIGEST_INVALID, 400),
        refusal("PATCH", "/v2/spectro-images/app/blobs/uploads/" + "x".repeat(200), OciError.BLOB_UPLOAD_UNKNOWN, 404),
        refusal("PATCH", "/v2/spectro-images/app/blobs/uploads/a%3Bb", OciError.BLOB_UPLOAD_UNKNOWN, 404),
        // wrong method on a known path
        refusal("POST", "/v2/", OciError.UNSUPPORTED, 405),
        refusal("POST", "/v2/spectro-images/app/manifests/latest", OciError.UNSUPPORTED, 405),
        refusal("PUT", "/v2/spectro-images/app/blobs/" + D, OciError.UNSUPPORTED, 405),
        refusal("GET", "/v2/spectro-images/app/blobs/uploads/", OciError.UNSUPPORTED, 405),
        refusal("POST", "/v2/spectro-images/app/blobs/uploads/" + ID, OciError.UNSUPPORTED, 405),
        refusal("DELETE", "/v2/spectro-images/app/tags/list", OciError.UNSUPPORTED, 405),
        refusal("PATCH", "/v2/_catalog", OciError.UNSUPPORTED, 405),
        refusal("POST", "/metrics", OciError.UNSUPPORTED, 405),
        refusal("PUT", "/readyz", OciError.UNSUPPORTED, 405),
        // no such resource under /v2
        refusal("GET", "/v2/spectro-images", OciError.NAME_UNKNOWN, 404),
        refusal("GET", "/v2/spectro-images/app/manifests", OciError.NAME_UNKNOWN, 404),
        refusal("GET", "/v2/spectro-images/app/tags", OciError.NAME_UNKNOWN, 404),
        // a query that does not decode
        refusal("GET", "/v2/_catalog?last=%zz", OciError.UNSUPPORTED, 400));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("queries")
  void keepsTheDecodedQuery(String uri, Map<String, List<String>> query) {
    assertThat(router.parse(HttpMethod.GET, uri).query()).isEqualTo(query);
  }

  static Stream<Arguments> queries() {
    return Stream.of(
        Arguments.of("/v2/library/nginx/manifests/latest?ns=docker.io", Map.of("ns", List.of("docker.io"))),
        Arguments.of("/v2/_catalog?n=2&last=spectro-images%2Fapp", Map.of("n", List.of("2"), "last", List.of("spectro-images/app"))),
        Arguments.of("/v2/a/referrers/" + D + "?artifactType=application%2Fvnd.example%2Bjson",
            Map.of("artifactType", List.of("application/vnd.example+json"))),
        Arguments.of("/v2/a/tags/list?n=1&n=2", Map.of("n", List.of("1", "2"))),
        Arguments.of("/v2/a/tags/list", Map.of()));
  }

  private static final String[] PIECES = {
    "/", "v2", "a", "b.c", "manifests", "blobs", "uploads", "tags", "list", "referrers", "_catalog", "latest",
    D, ID, "..", ".", "%2F", "%2e", "%", "%zz", "%00", "%c0%ae", "\\", "?", "&", "=", "ns", "n", "last", "#",
    "A", "-", "__", ":", "@", "%252F", "\u00e9", "\u0000", "\r", " ",
  };

  @RepeatedTest(200)
  void onlyOciExceptionEscapesRandomUris(RepetitionInfo repetition) {
    long seed = 0x5EED_0C1L * 1_000_003L + repetition.getCurrentRepetition();
    SplittableRandom r = new SplittableRandom(seed);
    List<HttpMethod> methods = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.POST,
        HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS);
    for (int i = 0; i < 100; i++) {
      StringBuilder uri = new StringBuilder(r.nextInt(4) == 0 ? "" : "/v2/");
      int pieces = r.nextInt(12);
      for (int p = 0; p < pieces; p++) {
        uri.append(PIECES[r.nextInt(PIECES.length)]);
      }
      HttpMethod method = methods.get(r.nextInt(methods.size()));
      try {
        Route route = router.parse(method, uri.toString());
        if (route.kind() != Kind.NOT_FOUND) { // outside /v2 the path is other handlers' to read
          assertThat(route.path()).doesNotContain("/../", "/./", "\\", "\u0000", " ");
        }
        if (route.name() != null) {
          assertThat(route.name().value()).doesNotContain("..", "%", "\\");
        }
      } catch (OciException e) {
        assertThat(e.status()).isBetween(400, 499);
      } catch (RuntimeException e) {
        fail("seed " + seed + ": " + method + " " + uri + " threw " + e, e);
      }
    }
  }

  private static Arguments row(
      String method, String uri, Kind kind, String name, String reference, String digest, String uploadId) {
    return Arguments.of(method, uri, kind, name, reference, digest, uploadId);
  }

  private static Arguments refusal(String method, String uri, OciError error, int status) {
    return Arguments.of(method, uri, error, status);
  }
}

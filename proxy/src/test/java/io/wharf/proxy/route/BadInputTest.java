package io.wharf.proxy.route;

import static io.wharf.proxy.route.ApiClient.errorCode;
import static io.wharf.proxy.route.ApiClient.sha256;
import static io.wharf.proxy.route.ApiClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.WharfServerExtension;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance 4 of issue 2: bad input gets the spec's error code, status and JSON body, and never a
 * stack trace.
 */
final class BadInputTest {
  @RegisterExtension static final WharfServerExtension wharf = new WharfServerExtension();

  private static final String REPO = "spectro-images/bad";
  private static final byte[] BLOB = "a blob for the bad-input table".getBytes(StandardCharsets.UTF_8);
  private static final String ZEROS = "sha256:" + "0".repeat(64);
  private static final String LONG_NAME = "spectro-images/" + "n".repeat(241); // 256 characters

  private static ApiClient api;

  @BeforeAll
  static void pushABlob() {
    api = new ApiClient(wharf);
    api.pushBlob(REPO, BLOB);
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        bad("uppercase name", a -> a.get("/v2/Spectro-Images/app/tags/list"), 400, "NAME_INVALID"),
        bad("empty component", a -> a.get("/v2/spectro-images//app/tags/list"), 400, "NAME_INVALID"),
        bad("too long a name", a -> a.get("/v2/" + LONG_NAME + "/manifests/latest"), 400, "NAME_INVALID"),
        bad("invalid separator", a -> a.get("/v2/spectro-images/app__x--/tags/list"), 400, "NAME_INVALID"),
        bad("invalid tag", a -> a.get("/v2/" + REPO + "/manifests/.hidden"), 400, "TAG_INVALID"),
        bad("invalid digest", a -> a.get("/v2/" + REPO + "/blobs/sha256:xyz"), 400, "DIGEST_INVALID"),
        bad("unknown algorithm", a -> a.get("/v2/" + REPO + "/blobs/md5:d41d8cd98f00b204e9800998ecf8427e"), 400, "DIGEST_INVALID"),
        bad("invalid digest parameter", a -> a.post("/v2/" + REPO + "/blobs/uploads/?digest=sha256:ABC", BLOB), 400, "DIGEST_INVALID"),
        bad("mismatched monolithic digest", a -> a.post("/v2/" + REPO + "/blobs/uploads/?digest=" + ZEROS, BLOB), 400, "DIGEST_INVALID"),
        bad("mismatched chunked digest", a -> {
          String location = a.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]).headers().firstValue("Location").orElseThrow();
          a.patch(location, BLOB);
          return a.put(location + "?digest=" + ZEROS, new byte[0]);
        }, 400, "DIGEST_INVALID"),
        bad("missing digest on completion", a -> {
          String location = a.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]).headers().firstValue("Location").orElseThrow();
          return a.put(location, BLOB);
        }, 400, "DIGEST_INVALID"),
        bad("manifest with an unknown blob", a -> a.putManifest(REPO, "dangling", MediaTypes.OCI_MANIFEST, manifestWithConfig(ZEROS, 2)),
            400, "MANIFEST_BLOB_UNKNOWN"),
        bad("oversized manifest", a -> a.putManifest(REPO, "huge", MediaTypes.OCI_MANIFEST, hugeManifest()), 413, "MANIFEST_INVALID"),
        bad("oversized manifest without a length", a -> a.method("PUT", "/v2/" + REPO + "/manifests/huge-chunked",
            BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(hugeManifest())), "Content-Type", MediaTypes.OCI_MANIFEST),
            413, "MANIFEST_INVALID"),
        bad("malformed JSON manifest", a -> a.putManifest(REPO, "broken", MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2,".getBytes(StandardCharsets.UTF_8)),
            400, "MANIFEST_INVALID"),
        bad("schema1 manifest", a -> a.putManifest(REPO, "old", MediaTypes.DOCKER_SCHEMA1_SIGNED,
            "{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"y\",\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8)), 400, "MANIFEST_INVALID"),
        bad("manifest under another digest", a -> {
          byte[] m = manifestWithConfig(sha256(BLOB), BLOB.length);
          return a.putManifest(REPO, ZEROS, MediaTypes.OCI_MANIFEST, m);
        }, 400, "DIGEST_INVALID"),
        bad("unknown upload session", a -> a.patch("/v2/" + REPO + "/blobs/uploads/" + UUID.randomUUID(), BLOB), 404, "BLOB_UPLOAD_UNKNOWN"),
        bad("unknown upload status", a -> a.get("/v2/" + REPO + "/blobs/uploads/" + UUID.randomUUID()), 404, "BLOB_UPLOAD_UNKNOWN"),
        bad("malformed upload id", a -> a.get("/v2/" + REPO + "/blobs/uploads/x%3Dy%3B"), 404, "BLOB_UPLOAD_UNKNOWN"),
        bad("malformed Content-Range", a -> {
          String location = a.post("/v2/" + REPO + "/blobs/uploads/", new byte[0]).headers().firstValue("Location").orElseThrow();
          return a.patch(location, BLOB, "Content-Range", "bytes=oops");
        }, 416, "RANGE_INVALID"),
        bad("unsatisfiable Range", a -> a.get("/v2/" + REPO + "/blobs/" + sha256(BLOB), "Range", "bytes=9999-"), 416, "RANGE_INVALID"),
        bad("malformed Range", a -> a.get("/v2/" + REPO + "/blobs/" + sha256(BLOB), "Range", "bytes=z-"), 416, "RANGE_INVALID"),
        bad("unknown manifest", a -> a.get("/v2/" + REPO + "/manifests/nope"), 404, "MANIFEST_UNKNOWN"),
        bad("unknown blob", a -> a.get("/v2/" + REPO + "/blobs/" + ZEROS), 404, "BLOB_UNKNOWN"),
        bad("unknown repository", a -> a.get("/v2/spectro-images/never/tags/list"), 404, "NAME_UNKNOWN"),
        bad("negative page size", a -> a.get("/v2/" + REPO + "/tags/list?n=-1"), 400, "PAGINATION_NUMBER_INVALID"),
        bad("non-numeric page size", a -> a.get("/v2/_catalog?n=ten"), 400, "PAGINATION_NUMBER_INVALID"),
        bad("huge page size", a -> a.get("/v2/_catalog?n=10001"), 400, "PAGINATION_NUMBER_INVALID"),
        bad("push outside a local project", a -> a.post("/v2/other/app/blobs/uploads/", new byte[0]), 403, "DENIED"),
        bad("monolithic push outside a local project", a -> a.post("/v2/other/app/blobs/uploads/?digest=" + sha256(BLOB), BLOB), 403, "DENIED"),
        bad("manifest push outside a local project", a -> a.putManifest("other/app", "v1", MediaTypes.OCI_MANIFEST, manifestWithConfig(sha256(BLOB), BLOB.length)),
            403, "DENIED"),
        bad("wrong method", a -> a.post("/v2/" + REPO + "/manifests/latest", new byte[0]), 405, "UNSUPPORTED"),
        bad("unknown path", a -> a.get("/v2/" + REPO + "/nothing/here"), 404, "NAME_UNKNOWN"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badRequests")
  void answersWithTheSpecError(String what, Function<ApiClient, HttpResponse<byte[]>> request, int status, String code) {
    HttpResponse<byte[]> r = request.apply(api);

    assertThat(r.statusCode()).as(text(r)).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
    assertThat(errorCode(r)).as(text(r)).isEqualTo(code);
    assertNoStackTrace(new String(r.body(), StandardCharsets.UTF_8));
  }

  static Stream<Arguments> pathTricks() {
    return Stream.of(
        Arguments.of("GET /v2/spectro-images/..%2F..%2Fetc/manifests/latest HTTP/1.1"),
        Arguments.of("GET /v2/spectro-images/..%2F..%2F..%2Fetc%2Fpasswd/blobs/" + ZEROS + " HTTP/1.1"),
        Arguments.of("GET /v2/spectro-images/../../etc/passwd/tags/list HTTP/1.1"),
        Arguments.of("GET /v2/spectro-images/%2e%2e/%2e%2e/etc/tags/list HTTP/1.1"),
        Arguments.of("PUT /v2/spectro-images/..%5c..%5cetc/manifests/latest HTTP/1.1"),
        Arguments.of("POST /v2/spectro-images/app%00/blobs/uploads/ HTTP/1.1"),
        Arguments.of("GET /v2/spectro-images/./app/manifests/latest HTTP/1.1"),
        Arguments.of("GET /v2/spectro-images/a/blobs/uploads/..%2F..%2F..%2Fdata HTTP/1.1"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("pathTricks")
  void refusesPathsThatTryToLeaveTheDataRoot(String requestLine) {
    ApiClient.RawResponse r = api.raw(requestLine);

    assertThat(r.status()).as(r.head() + "\n" + r.body()).isIn(400, 404);
    assertThat(r.errorCode()).isIn("NAME_INVALID", "BLOB_UPLOAD_UNKNOWN");
    assertNoStackTrace(r.body());
  }

  @Test
  void answersAHeadErrorWithTheStatusAndNoBody() {
    HttpResponse<byte[]> r = api.head("/v2/" + REPO + "/manifests/nope");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void keepsTheConnectionUsableAfterAnError() {
    for (int i = 0; i < 3; i++) {
      assertThat(api.post("/v2/" + REPO + "/blobs/uploads/?digest=" + ZEROS, BLOB).statusCode()).isEqualTo(400);
      assertThat(api.get("/v2/" + REPO + "/blobs/" + sha256(BLOB)).body()).isEqualTo(BLOB);
    }
  }

  private static void assertNoStackTrace(String body) {
    assertThat(body).doesNotContain("at io.", "Exception", "java.", "\tat ");
  }

  private static byte[] manifestWithConfig(String digest, long size) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest + "\",\"size\":" + size + "},\"layers\":[]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] hugeManifest() {
    byte[] body = new byte[5 * 1024 * 1024];
    Arrays.fill(body, (byte) ' ');
    byte[] start = "{\"schemaVersion\":2,\"annotations\":{\"pad\":\"".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(start, 0, body, 0, start.length);
    return body;
  }

  private static Arguments bad(String what, Function<ApiClient, HttpResponse<byte[]>> request, int status, String code) {
    return Arguments.of(what, request, status, code);
  }
}

package io.wharf.proxy.route;

import static io.wharf.proxy.route.ApiClient.errorCode;
import static io.wharf.proxy.route.ApiClient.json;
import static io.wharf.proxy.route.ApiClient.sha256;
import static io.wharf.proxy.route.ApiClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.route.http.LinkHeader;
import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The distribution API over HTTP against a real server and real storage: the happy paths. */
final class DistributionApiTest {
  @RegisterExtension static final WharfServerExtension wharf = new WharfServerExtension();

  private final ApiClient api = new ApiClient(wharf);

  @Test
  void answersTheBaseEndpoint() {
    HttpResponse<byte[]> r = api.get("/v2/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(r.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
  }

  @Test
  void pushesABlobMonolithicallyAndServesIt() {
    byte[] blob = bytes(100_000, 1);
    String digest = sha256(blob);

    HttpResponse<byte[]> push = api.post("/v2/spectro-images/mono/blobs/uploads/?digest=" + digest, blob);

    assertThat(push.statusCode()).as(text(push)).isEqualTo(201);
    assertThat(push.headers().firstValue("Location")).contains("/v2/spectro-images/mono/blobs/" + digest);
    assertThat(push.headers().firstValue("Docker-Content-Digest")).contains(digest);
    HttpResponse<byte[]> get = api.get("/v2/spectro-images/mono/blobs/" + digest);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(blob);
    assertThat(get.headers().firstValue("Content-Type")).contains("application/octet-stream");
    assertThat(get.headers().firstValue("Docker-Content-Digest")).contains(digest);
    assertThat(get.headers().firstValue("ETag")).contains("\"" + digest + "\"");
    assertThat(get.headers().firstValue("Accept-Ranges")).contains("bytes");
    assertThat(get.headers().firstValue("Content-Encoding")).isEmpty();
    HttpResponse<byte[]> head = api.head("/v2/spectro-images/mono/blobs/" + digest);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Length")).contains("100000");
    assertThat(head.body()).isEmpty();
    HttpResponse<byte[]> cached = api.get("/v2/spectro-images/mono/blobs/" + digest, "If-None-Match", "\"" + digest + "\"");
    assertThat(cached.statusCode()).isEqualTo(304);
  }

  @Test
  void pushesABlobInChunksWithAndWithoutContentRange() {
    byte[] blob = bytes(300, 2);
    String digest = sha256(blob);

    HttpResponse<byte[]> start = api.post("/v2/spectro-images/chunked/blobs/uploads/", new byte[0]);
    assertThat(start.statusCode()).as(text(start)).isEqualTo(202);
    String location = start.headers().firstValue("Location").orElseThrow();
    String id = start.headers().firstValue("Docker-Upload-UUID").orElseThrow();
    assertThat(location).isEqualTo("/v2/spectro-images/chunked/blobs/uploads/" + id);
    assertThat(start.headers().firstValue("Range")).contains("0-0");

    HttpResponse<byte[]> first = api.patch(location, Arrays.copyOfRange(blob, 0, 100), "Content-Range", "0-99");
    assertThat(first.statusCode()).as(text(first)).isEqualTo(202);
    assertThat(first.headers().firstValue("Range")).contains("0-99");
    assertThat(first.headers().firstValue("Location")).contains(location);

    HttpResponse<byte[]> second = api.patch(location, Arrays.copyOfRange(blob, 100, 200));
    assertThat(second.statusCode()).as(text(second)).isEqualTo(202);
    assertThat(second.headers().firstValue("Range")).contains("0-199");

    HttpResponse<byte[]> status = api.get(location);
    assertThat(status.statusCode()).isEqualTo(204);
    assertThat(status.headers().firstValue("Range")).contains("0-199");
    assertThat(status.headers().firstValue("Location")).contains(location);

    HttpResponse<byte[]> done =
        api.put(location + "?digest=" + digest, Arrays.copyOfRange(blob, 200, 300), "Content-Range", "200-299");
    assertThat(done.statusCode()).as(text(done)).isEqualTo(201);
    assertThat(done.headers().firstValue("Location")).contains("/v2/spectro-images/chunked/blobs/" + digest);
    assertThat(done.headers().firstValue("Docker-Content-Digest")).contains(digest);
    assertThat(api.get("/v2/spectro-images/chunked/blobs/" + digest).body()).isEqualTo(blob);
  }

  @Test
  void completesAnUploadWithAnEmptyPut() {
    byte[] blob = bytes(64, 3);
    String location = api.post("/v2/spectro-images/emptyput/blobs/uploads/", new byte[0])
        .headers().firstValue("Location").orElseThrow();
    assertThat(api.patch(location, blob).statusCode()).isEqualTo(202);

    HttpResponse<byte[]> done = api.put(location + "?digest=" + sha256(blob), new byte[0]);

    assertThat(done.statusCode()).as(text(done)).isEqualTo(201);
  }

  @Test
  void refusesAnOutOfOrderChunkWithWhereTheUploadStands() {
    String location = api.post("/v2/spectro-images/order/blobs/uploads/", new byte[0])
        .headers().firstValue("Location").orElseThrow();
    assertThat(api.patch(location, bytes(10, 4), "Content-Range", "0-9").statusCode()).isEqualTo(202);

    HttpResponse<byte[]> skip = api.patch(location, bytes(10, 5), "Content-Range", "20-29");

    assertThat(skip.statusCode()).as(text(skip)).isEqualTo(416);
    assertThat(errorCode(skip)).isEqualTo("RANGE_INVALID");
    assertThat(skip.headers().firstValue("Range")).contains("0-9");
    assertThat(skip.headers().firstValue("Location")).contains(location);
    // the session survives and the same connection keeps working
    HttpResponse<byte[]> resume = api.patch(location, bytes(10, 5), "Content-Range", "10-19");
    assertThat(resume.statusCode()).as(text(resume)).isEqualTo(202);
    assertThat(resume.headers().firstValue("Range")).contains("0-19");
  }

  @Test
  void cancelsAnUpload() {
    String location = api.post("/v2/spectro-images/cancel/blobs/uploads/", new byte[0])
        .headers().firstValue("Location").orElseThrow();

    HttpResponse<byte[]> cancel = api.delete(location);

    assertThat(cancel.statusCode()).isEqualTo(204);
    HttpResponse<byte[]> status = api.get(location);
    assertThat(status.statusCode()).isEqualTo(404);
    assertThat(errorCode(status)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
  }

  @Test
  void mountsABlobFromAnotherRepository() {
    byte[] blob = bytes(500, 6);
    String digest = api.pushBlob("spectro-images/mount-from", blob);

    HttpResponse<byte[]> mount =
        api.post("/v2/spectro-images/mount-to/blobs/uploads/?mount=" + digest + "&from=spectro-images/mount-from", new byte[0]);

    assertThat(mount.statusCode()).as(text(mount)).isEqualTo(201);
    assertThat(mount.headers().firstValue("Location")).contains("/v2/spectro-images/mount-to/blobs/" + digest);
    assertThat(mount.headers().firstValue("Docker-Content-Digest")).contains(digest);
    assertThat(api.get("/v2/spectro-images/mount-to/blobs/" + digest).body()).isEqualTo(blob);
  }

  @Test
  void fallsBackToAnUploadWhenAMountCannotHappen() {
    String missing = sha256("never pushed".getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> mount =
        api.post("/v2/spectro-images/mount-miss/blobs/uploads/?mount=" + missing + "&from=spectro-images/nowhere", new byte[0]);
    HttpResponse<byte[]> bogus =
        api.post("/v2/spectro-images/mount-miss/blobs/uploads/?mount=nonsense&from=NOT..valid", new byte[0]);

    assertThat(mount.statusCode()).as(text(mount)).isEqualTo(202);
    assertThat(mount.headers().firstValue("Location").orElseThrow()).startsWith("/v2/spectro-images/mount-miss/blobs/uploads/");
    assertThat(bogus.statusCode()).as(text(bogus)).isEqualTo(202);
  }

  @Test
  void pushesAndPullsAManifestByTagAndDigest() {
    byte[] manifest = api.pushImage("spectro-images/app", "v1", "app-v1");
    String digest = sha256(manifest);

    for (String ref : List.of("v1", digest)) {
      HttpResponse<byte[]> get = api.get("/v2/spectro-images/app/manifests/" + ref, "Accept", MediaTypes.OCI_MANIFEST);
      assertThat(get.statusCode()).as(text(get)).isEqualTo(200);
      assertThat(get.body()).isEqualTo(manifest);
      assertThat(get.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_MANIFEST);
      assertThat(get.headers().firstValue("Docker-Content-Digest")).contains(digest);
      assertThat(get.headers().firstValue("ETag")).contains("\"" + digest + "\"");
      HttpResponse<byte[]> head = api.head("/v2/spectro-images/app/manifests/" + ref);
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      assertThat(head.headers().firstValue("Content-Length")).contains(String.valueOf(manifest.length));
      assertThat(head.headers().firstValue("Docker-Content-Digest")).contains(digest);
      assertThat(head.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_MANIFEST);
    }
  }

  @Test
  void answersAPushWithLocationAndDigest() {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String c = api.pushBlob("spectro-images/put", config);
    byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
        + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":2},\"layers\":[]}")
        .getBytes(StandardCharsets.UTF_8);

    HttpResponse<byte[]> put = api.putManifest("spectro-images/put", "latest", MediaTypes.OCI_MANIFEST, manifest);

    assertThat(put.statusCode()).as(text(put)).isEqualTo(201);
    assertThat(put.headers().firstValue("Location")).contains("/v2/spectro-images/put/manifests/" + sha256(manifest));
    assertThat(put.headers().firstValue("Docker-Content-Digest")).contains(sha256(manifest));
    assertThat(put.headers().firstValue("OCI-Subject")).isEmpty();
    assertThat(put.headers().firstValue("Content-Length")).contains("0");
  }

  @Test
  void negotiatesAnIndexWithTheAcceptHeader() {
    byte[] amd64 = api.pushImage("spectro-images/multi", "amd64-only", "multi-amd64");
    byte[] arm64 = api.pushImage("spectro-images/multi", "arm64-only", "multi-arm64");
    byte[] index = index(List.of(descriptor(amd64, "amd64"), descriptor(arm64, "arm64")));
    HttpResponse<byte[]> put = api.putManifest("spectro-images/multi", "latest", MediaTypes.OCI_INDEX, index);
    assertThat(put.statusCode()).as(text(put)).isEqualTo(201);

    HttpResponse<byte[]> any = api.get("/v2/spectro-images/multi/manifests/latest");
    HttpResponse<byte[]> wildcard = api.get("/v2/spectro-images/multi/manifests/latest", "Accept", "*/*");
    HttpResponse<byte[]> indexes = api.get("/v2/spectro-images/multi/manifests/latest",
        "Accept", MediaTypes.OCI_MANIFEST, "Accept", MediaTypes.OCI_INDEX);
    HttpResponse<byte[]> imagesOnly = api.get("/v2/spectro-images/multi/manifests/latest",
        "Accept", MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST + ", " + MediaTypes.OCI_INDEX + ";q=0");
    HttpResponse<byte[]> headImagesOnly = api.head("/v2/spectro-images/multi/manifests/latest", "Accept", MediaTypes.OCI_MANIFEST);
    HttpResponse<byte[]> byDigest = api.get("/v2/spectro-images/multi/manifests/" + sha256(index), "Accept", MediaTypes.OCI_MANIFEST);
    HttpResponse<byte[]> nothing = api.get("/v2/spectro-images/multi/manifests/latest", "Accept", "text/plain");

    assertThat(any.body()).isEqualTo(index);
    assertThat(wildcard.body()).isEqualTo(index);
    assertThat(indexes.body()).isEqualTo(index);
    assertThat(indexes.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_INDEX);
    assertThat(imagesOnly.statusCode()).isEqualTo(200);
    assertThat(imagesOnly.body()).isEqualTo(amd64); // registry:2 serves the linux/amd64 image
    assertThat(imagesOnly.headers().firstValue("Docker-Content-Digest")).contains(sha256(amd64));
    assertThat(headImagesOnly.headers().firstValue("Docker-Content-Digest")).contains(sha256(amd64));
    assertThat(byDigest.statusCode()).isEqualTo(404); // a digest names exact bytes: never substituted
    assertThat(errorCode(byDigest)).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(nothing.statusCode()).isEqualTo(404);
    assertThat(errorCode(nothing)).isEqualTo("MANIFEST_UNKNOWN");
    assertThat(json(nothing).path("errors").path(0).path("message").asText()).contains(MediaTypes.OCI_INDEX);
  }

  @Test
  void listsTagsPageByPage() {
    for (String tag : List.of("a", "b", "c", "d", "e")) {
      api.pushImage("spectro-images/paged", tag, "paged-" + tag);
    }

    List<String> seen = new ArrayList<>();
    String next = "/v2/spectro-images/paged/tags/list?n=2";
    int pages = 0;
    while (next != null) {
      HttpResponse<byte[]> page = api.get(next);
      assertThat(page.statusCode()).as(text(page)).isEqualTo(200);
      JsonNode body = json(page);
      assertThat(body.path("name").asText()).isEqualTo("spectro-images/paged");
      assertThat(body.path("tags").size()).isLessThanOrEqualTo(2);
      body.path("tags").forEach(t -> seen.add(t.asText()));
      next = LinkHeader.parseNext(page.headers().firstValue("Link").orElse(null)).orElse(null);
      pages++;
    }

    assertThat(seen).containsExactly("a", "b", "c", "d", "e");
    assertThat(pages).isEqualTo(3);
    assertThat(json(api.get("/v2/spectro-images/paged/tags/list")).path("tags").size()).isEqualTo(5);
    HttpResponse<byte[]> none = api.get("/v2/spectro-images/paged/tags/list?n=0");
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(json(none).path("tags").size()).isZero();
    assertThat(none.headers().firstValue("Link")).isEmpty();
    HttpResponse<byte[]> after = api.get("/v2/spectro-images/paged/tags/list?last=c");
    assertThat(json(after).path("tags").toString()).isEqualTo("[\"d\",\"e\"]");
  }

  @Test
  void listsTheCatalogPageByPage() {
    api.pushImage("spectro-images/cat-1", "x", "cat-1");
    api.pushImage("spectro-images/cat-2", "x", "cat-2");
    api.pushImage("spectro-images/cat-3", "x", "cat-3");

    List<String> seen = new ArrayList<>();
    String next = "/v2/_catalog?n=2";
    while (next != null) {
      HttpResponse<byte[]> page = api.get(next);
      assertThat(page.statusCode()).as(text(page)).isEqualTo(200);
      JsonNode repositories = json(page).path("repositories");
      assertThat(repositories.size()).isLessThanOrEqualTo(2);
      repositories.forEach(r -> seen.add(r.asText()));
      next = LinkHeader.parseNext(page.headers().firstValue("Link").orElse(null)).orElse(null);
    }

    assertThat(seen).contains("spectro-images/cat-1", "spectro-images/cat-2", "spectro-images/cat-3");
    assertThat(seen).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void listsReferrersFilteredByArtifactType() {
    byte[] image = api.pushImage("spectro-images/signed", "v1", "signed-v1");
    String subject = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + sha256(image)
        + "\",\"size\":" + image.length + "}";

    byte[] signature = api.pushImage("spectro-images/signed", "sig", "sig", "application/vnd.example.signature", subject);
    HttpResponse<byte[]> sbomPush = pushReferrer("spectro-images/signed", "application/vnd.example.sbom", subject);

    assertThat(sbomPush.statusCode()).as(text(sbomPush)).isEqualTo(201);
    assertThat(sbomPush.headers().firstValue("OCI-Subject")).contains(sha256(image));
    HttpResponse<byte[]> all = api.get("/v2/spectro-images/signed/referrers/" + sha256(image));
    assertThat(all.statusCode()).as(text(all)).isEqualTo(200);
    assertThat(all.headers().firstValue("Content-Type")).contains(MediaTypes.OCI_INDEX);
    assertThat(all.headers().firstValue("OCI-Filters-Applied")).isEmpty();
    JsonNode index = json(all);
    assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
    assertThat(index.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(index.path("manifests").size()).isEqualTo(2);
    HttpResponse<byte[]> filtered =
        api.get("/v2/spectro-images/signed/referrers/" + sha256(image) + "?artifactType=application%2Fvnd.example.signature");
    assertThat(filtered.headers().firstValue("OCI-Filters-Applied")).contains("artifactType");
    JsonNode only = json(filtered).path("manifests");
    assertThat(only.size()).isEqualTo(1);
    assertThat(only.path(0).path("digest").asText()).isEqualTo(sha256(signature));
    assertThat(only.path(0).path("artifactType").asText()).isEqualTo("application/vnd.example.signature");
    assertThat(only.path(0).path("size").asLong()).isEqualTo(signature.length);
    assertThat(only.path(0).path("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
    HttpResponse<byte[]> none = api.get("/v2/spectro-images/signed/referrers/" + sha256("nothing".getBytes(StandardCharsets.UTF_8)));
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(json(none).path("manifests").size()).isZero();
  }

  @Test
  void deletesTagsManifestsAndBlobs() {
    byte[] manifest = api.pushImage("spectro-images/gone", "v1", "gone-v1");
    api.putManifest("spectro-images/gone", "v2", MediaTypes.OCI_MANIFEST, manifest);
    String digest = sha256(manifest);

    HttpResponse<byte[]> tag = api.delete("/v2/spectro-images/gone/manifests/v1");
    assertThat(tag.statusCode()).as(text(tag)).isEqualTo(202);
    assertThat(api.get("/v2/spectro-images/gone/manifests/v1").statusCode()).isEqualTo(404);
    assertThat(api.get("/v2/spectro-images/gone/manifests/v2").statusCode()).isEqualTo(200);

    HttpResponse<byte[]> byDigest = api.delete("/v2/spectro-images/gone/manifests/" + digest);
    assertThat(byDigest.statusCode()).as(text(byDigest)).isEqualTo(202);
    HttpResponse<byte[]> after = api.get("/v2/spectro-images/gone/manifests/" + digest);
    assertThat(after.statusCode()).isEqualTo(404);
    assertThat(errorCode(after)).isEqualTo("MANIFEST_UNKNOWN");

    String blob = api.pushBlob("spectro-images/gone", bytes(10, 7));
    assertThat(api.delete("/v2/spectro-images/gone/blobs/" + blob).statusCode()).isEqualTo(202);
    HttpResponse<byte[]> missing = api.get("/v2/spectro-images/gone/blobs/" + blob);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(errorCode(missing)).isEqualTo("BLOB_UNKNOWN");
  }

  @Test
  void servesByteRanges() {
    byte[] blob = bytes(1000, 8);
    String digest = api.pushBlob("spectro-images/ranges", blob);
    String path = "/v2/spectro-images/ranges/blobs/" + digest;

    HttpResponse<byte[]> middle = api.get(path, "Range", "bytes=10-19");
    HttpResponse<byte[]> tail = api.get(path, "Range", "bytes=990-");
    HttpResponse<byte[]> suffix = api.get(path, "Range", "bytes=-5");
    HttpResponse<byte[]> several = api.get(path, "Range", "bytes=0-1,5-6");
    HttpResponse<byte[]> past = api.get(path, "Range", "bytes=1000-");
    HttpResponse<byte[]> stale = api.get(path, "Range", "bytes=0-0", "If-Range", "\"sha256:other\"");

    assertThat(middle.statusCode()).isEqualTo(206);
    assertThat(middle.headers().firstValue("Content-Range")).contains("bytes 10-19/1000");
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(blob, 10, 20));
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(blob, 990, 1000));
    assertThat(suffix.headers().firstValue("Content-Range")).contains("bytes 995-999/1000");
    assertThat(several.statusCode()).isEqualTo(200);
    assertThat(several.body()).isEqualTo(blob);
    assertThat(past.statusCode()).isEqualTo(416);
    assertThat(errorCode(past)).isEqualTo("RANGE_INVALID");
    assertThat(past.headers().firstValue("Content-Range")).contains("bytes */1000");
    assertThat(stale.statusCode()).isEqualTo(200);
  }

  @Test
  void streamsALargeBlobBothWays() throws Exception {
    long size = 64L * 1024 * 1024 + 123;
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(new PatternStream(size), sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
    String location = api.post("/v2/spectro-images/large/blobs/uploads/", new byte[0])
        .headers().firstValue("Location").orElseThrow();

    // no length: the client streams it chunked, the server never holds it whole
    HttpResponse<byte[]> patch = api.method("PATCH", location, BodyPublishers.ofInputStream(() -> new PatternStream(size)));
    assertThat(patch.statusCode()).as(text(patch)).isEqualTo(202);
    assertThat(patch.headers().firstValue("Range")).contains("0-" + (size - 1));
    HttpResponse<byte[]> done = api.put(location + "?digest=" + digest, new byte[0]);
    assertThat(done.statusCode()).as(text(done)).isEqualTo(201);

    HttpResponse<InputStream> get = wharf.client().send(
        ApiClient.loggedIn(api.request("/v2/spectro-images/large/blobs/" + digest).GET().build()), BodyHandlers.ofInputStream());
    MessageDigest back = MessageDigest.getInstance("SHA-256");
    long received;
    try (InputStream in = new DigestInputStream(get.body(), back)) {
      received = in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    assertThat(received).isEqualTo(size);
    assertThat("sha256:" + HexFormat.of().formatHex(back.digest())).isEqualTo(digest);
  }

  private HttpResponse<byte[]> pushReferrer(String repo, String artifactType, String subject) {
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    String e = api.pushBlob(repo, empty);
    byte[] body = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
        + artifactType + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + e
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + e
        + "\",\"size\":2}],\"subject\":" + subject + "}").getBytes(StandardCharsets.UTF_8);
    return api.putManifest(repo, sha256(body), MediaTypes.OCI_MANIFEST, body);
  }

  private static String descriptor(byte[] manifest, String arch) {
    return "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + sha256(manifest) + "\",\"size\":"
        + manifest.length + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + arch + "\"}}";
  }

  private static byte[] index(List<String> descriptors) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
        + String.join(",", descriptors) + "]}").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** {@code size} bytes of a cheap repeating pattern, generated as read. */
  static final class PatternStream extends InputStream {
    private final long size;
    private long position;

    PatternStream(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return position < size ? (int) (position++ * 31 % 251) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) (position++ * 31 % 251);
      }
      return n;
    }
  }
}

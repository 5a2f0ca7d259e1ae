package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.TestAccess;
import io.wharf.proxy.WharfServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/** A small distribution-API client over {@link java.net.http.HttpClient}, for the HTTP-level tests. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final WharfServerExtension wharf;

  ApiClient(WharfServerExtension wharf) {
    this.wharf = wharf;
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(wharf.uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
  }

  /**
   * Sends the request, logged in as the admin where it needs an account: every method but GET
   * and HEAD, an upload's status, {@code /v2/}, the catalog and the admin API (pulls stay
   * anonymous, as nodes pull).
   * A request that carries its own {@code Authorization} is sent as it is.
   */
  HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return wharf.client().send(loggedIn(request), BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<byte[]> get(String path, String... headers) {
    HttpRequest.Builder b = request(path).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  HttpResponse<byte[]> head(String path, String... headers) {
    HttpRequest.Builder b = request(path).method("HEAD", BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  HttpResponse<byte[]> delete(String path) {
    return send(request(path).DELETE().build());
  }

  HttpResponse<byte[]> post(String path, byte[] body) {
    return send(request(path).POST(BodyPublishers.ofByteArray(body)).build());
  }

  HttpResponse<byte[]> patch(String path, byte[] body, String... headers) {
    return method("PATCH", path, BodyPublishers.ofByteArray(body), headers);
  }

  HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
    return method("PUT", path, BodyPublishers.ofByteArray(body), headers);
  }

  HttpResponse<byte[]> method(String method, String path, BodyPublisher body, String... headers) {
    HttpRequest.Builder b = request(path).method(method, body);
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  /** Sends exactly this request, with no credentials added. */
  HttpResponse<byte[]> sendAnonymous(HttpRequest request) {
    try {
      return wharf.client().send(request, BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static HttpRequest loggedIn(HttpRequest request) {
    if (request.headers().firstValue("Authorization").isPresent() || !needsAccount(request)) {
      return request;
    }
    return HttpRequest.newBuilder(request, (name, value) -> true)
        .header("Authorization", TestAccess.adminBasic())
        .build();
  }

  private static boolean needsAccount(HttpRequest request) {
    String method = request.method();
    String path = request.uri().getRawPath();
    return !(method.equals("GET") || method.equals("HEAD"))
        || path.equals("/v2/")
        || path.equals("/v2")
        || path.startsWith("/v2/_catalog")
        || path.contains("/blobs/uploads/")
        || path.startsWith("/api/");
  }

  /** Pushes a blob monolithically ({@code POST ?digest=}); returns its digest. */
  String pushBlob(String repo, byte[] bytes) {
    String digest = sha256(bytes);
    HttpResponse<byte[]> r = post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, bytes);
    assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    return digest;
  }

  /** Pushes a manifest under a tag or digest; returns the response. */
  HttpResponse<byte[]> putManifest(String repo, String reference, String mediaType, byte[] body) {
    return put("/v2/" + repo + "/manifests/" + reference, body, "Content-Type", mediaType);
  }

  /** An image manifest over freshly pushed config and layer blobs; returns its bytes. */
  byte[] pushImage(String repo, String tag, String seed) {
    return pushImage(repo, tag, seed, null, null);
  }

  byte[] pushImage(String repo, String tag, String seed, String artifactType, String subjectJson) {
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] layer = ("layer of " + seed).getBytes(StandardCharsets.UTF_8);
    String c = pushBlob(repo, config);
    String l = pushBlob(repo, layer);
    StringBuilder m = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",");
    if (artifactType != null) {
      m.append("\"artifactType\":\"").append(artifactType).append("\",");
    }
    m.append("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"")
        .append(c).append("\",\"size\":").append(config.length).append("},")
        .append("\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
        .append(l).append("\",\"size\":").append(layer.length).append("}]");
    if (subjectJson != null) {
      m.append(",\"subject\":").append(subjectJson);
    }
    m.append("}");
    byte[] body = m.toString().getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> r = putManifest(repo, tag, "application/vnd.oci.image.manifest.v1+json", body);
    assertThat(r.statusCode()).as(text(r)).isEqualTo(201);
    return body;
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String text(HttpResponse<byte[]> r) {
    return r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8);
  }

  static JsonNode json(HttpResponse<byte[]> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text(r), e);
    }
  }

  /** The code of the first error of a spec error body. */
  static String errorCode(HttpResponse<byte[]> r) {
    return json(r).path("errors").path(0).path("code").asText();
  }

  /**
   * Sends bytes exactly as written over a fresh socket (no client normalising the path) and
   * returns the whole response, which the server ends by closing.
   */
  RawResponse raw(String requestLine) {
    String request = requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket("127.0.0.1", wharf.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return RawResponse.parse(all.toString(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A response read off a socket: status, the head as text, and the body. */
  record RawResponse(int status, String head, String body) {
    static RawResponse parse(String text) {
      int end = text.indexOf("\r\n\r\n");
      String head = end < 0 ? text : text.substring(0, end);
      String body = end < 0 ? "" : text.substring(end + 4);
      int status = Integer.parseInt(head.substring(9, 12));
      return new RawResponse(status, head, body);
    }

    String errorCode() {
      try {
        return JSON.readTree(body).path("errors").path(0).path("code").asText();
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }
}

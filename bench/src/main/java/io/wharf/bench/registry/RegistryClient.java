package io.wharf.bench.registry;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.bench.http.BenchHttpClient;
import io.wharf.bench.http.Body;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Pushes and deletes through the OCI push API on one keep-alive connection: POST an upload, then
 * one monolithic PUT with Content-Length whose body streams as it is generated.
 */
public final class RegistryClient implements AutoCloseable {

  /** Long enough for a GiB blob on a busy 2-core machine. */
  private static final Duration PUSH_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration SMALL_TIMEOUT = Duration.ofSeconds(60);

  private final BenchHttpClient http;
  private final URI base;
  private @Nullable Connection connection;

  public RegistryClient(BenchHttpClient http, URI base) {
    this.http = requireNonNull(http, "http");
    this.base = requireNonNull(base, "base");
  }

  public URI base() {
    return base;
  }

  /** True if {@code HEAD} of the blob answers 200. */
  public boolean hasBlob(String repository, String digest) throws IOException {
    Response r = connection().sendSync(Request.head(OciPaths.blob(repository, digest)), SMALL_TIMEOUT);
    return r.status() == 200;
  }

  /** Pushes the blob unless the registry has it; returns true if it was uploaded. */
  public boolean pushBlobIfMissing(String repository, String digest, Body body) throws IOException {
    if (hasBlob(repository, digest)) {
      return false;
    }
    pushBlob(repository, digest, body);
    return true;
  }

  /** POST an upload session, then PUT the whole body into it with {@code ?digest=}. */
  public void pushBlob(String repository, String digest, Body body) throws IOException {
    Connection c = connection();
    Response started = c.sendSync(Request.of(HttpMethod.POST, OciPaths.uploads(repository)), SMALL_TIMEOUT);
    if (started.status() != 202) {
      throw new IOException("POST " + OciPaths.uploads(repository) + " on " + base + ": " + started.describe());
    }
    String location = started.header("Location");
    if (location == null || location.isBlank()) {
      throw new IOException("POST " + OciPaths.uploads(repository) + " on " + base + ": 202 without Location");
    }
    URI upload = base.resolve(location);
    if (!sameOrigin(upload, base)) {
      throw new IOException("upload Location on another server, not supported: " + location);
    }
    String target = upload.getRawPath() + "?" + (upload.getRawQuery() == null ? "" : upload.getRawQuery() + "&")
        + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8);
    Request put = Request.of(HttpMethod.PUT, target).withBody(body)
        .withHeader("Content-Type", "application/octet-stream");
    Response done = c.sendSync(put, PUSH_TIMEOUT);
    if (done.status() != 201) {
      throw new IOException("PUT blob " + digest + " (" + body.length() + " bytes) to " + base + ": "
          + done.describe());
    }
  }

  public void putManifest(String repository, String reference, String mediaType, byte[] json) throws IOException {
    Request put = Request.of(HttpMethod.PUT, OciPaths.manifest(repository, reference))
        .withBody(Body.of(json)).withHeader("Content-Type", mediaType);
    Response r = connection().sendSync(put, SMALL_TIMEOUT);
    if (r.status() != 201) {
      throw new IOException("PUT manifest " + repository + ":" + reference + " to " + base + ": " + r.describe());
    }
  }

  /** DELETE of a blob (the registry must have delete enabled); a 404 counts as done. */
  public void deleteBlob(String repository, String digest) throws IOException {
    Response r = connection().sendSync(Request.of(HttpMethod.DELETE, OciPaths.blob(repository, digest)),
        SMALL_TIMEOUT);
    if (r.status() != 202 && r.status() != 404) {
      throw new IOException("DELETE blob " + repository + "@" + digest + " on " + base + ": " + r.describe());
    }
  }

  private Connection connection() throws IOException {
    if (connection == null) {
      connection = http.connect(base);
    }
    return connection;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() == -1 ? 80 : u.getPort();
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
    }
  }
}

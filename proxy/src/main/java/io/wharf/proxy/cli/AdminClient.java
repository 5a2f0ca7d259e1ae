package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.admin.ProgressEvents;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.config.HostAndPort;
import io.wharf.proxy.route.Router;
import io.wharf.storage.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The CLI's side of the daemon's admin API ({@link io.wharf.proxy.admin.AdminApi}): finds a
 * running daemon on the configured listener and calls it, logged in as admin on every request
 * ({@link AdminLogin}). Errors come back as the {@link OciException} the daemon answered.
 */
final class AdminClient {
  /**
   * How long the probe waits to connect: on this host a connection is accepted or refused at
   * once, so no listener means a local run without delay.
   */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /**
   * How long the probe waits for the answer once connected: a busy daemon (a small host pulling
   * hard) may be slow, and falling back to the storage it holds would only fail on the lock.
   */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final AdminLogin login;
  private final HttpClient http;

  AdminClient(URI base, AdminLogin login) {
    this.base = requireNonNull(base, "base");
    this.login = requireNonNull(login, "login");
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * The admin API of the daemon listening on {@code listen}, if one answers there. A wildcard
   * address is reached on loopback; port 0 (a port picked at start) cannot be found.
   *
   * @throws OciException when a daemon answers but refuses {@code login} (401) or this host (403)
   */
  static Optional<AdminClient> find(HostAndPort listen, AdminLogin login) {
    if (listen.port() == 0) {
      return Optional.empty();
    }
    String host = switch (listen.host()) {
      case "0.0.0.0", "" -> "127.0.0.1";
      case "::", "0:0:0:0:0:0:0:0" -> "[::1]";
      default -> listen.host().contains(":") ? "[" + listen.host() + "]" : listen.host();
    };
    AdminClient client = new AdminClient(URI.create("http://" + host + ":" + listen.port() + Router.ADMIN_PREFIX), login);
    return client.answers() ? Optional.of(client) : Optional.empty();
  }

  /** The API's base, {@code http://127.0.0.1:5050/api/wharf/v1/}. */
  URI base() {
    return base;
  }

  /** Whether a wharf admin API answers the status probe. */
  boolean answers() {
    HttpRequest request = request(base.resolve("status")).timeout(PROBE_TIMEOUT).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return JSON.readTree(response.body()).path("status").asText().equals("ok");
      }
      if (response.statusCode() == 401 || response.statusCode() == 403 || response.statusCode() == 429) {
        throw refused(response.statusCode(), response.body()); // a daemon is there and refuses us
      }
      return false;
    } catch (IOException e) {
      return false; // nothing listens, or something that is not wharf
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code PUT pins?image=}: the pin as the daemon reports it. */
  JsonNode pin(String image) {
    return call("PUT", "pins", Map.of("image", List.of(image)));
  }

  /** {@code DELETE pins?image=}: whether the image was pinned. */
  boolean unpin(String image) {
    return call("DELETE", "pins", Map.of("image", List.of(image))).path("unpinned").asBoolean();
  }

  /** A {@code GET} or a short call answered with one JSON document. */
  JsonNode call(String method, String path, Map<String, List<String>> params) {
    return call(method, path, params, null);
  }

  /** A short call with a JSON body (or none), answered with one JSON document. */
  JsonNode call(String method, String path, Map<String, List<String>> params, @Nullable JsonNode body) {
    HttpRequest.Builder builder = request(uri(path, params)).timeout(Duration.ofMinutes(1));
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    try {
      HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw refused(response.statusCode(), response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OciException(OciError.UNAVAILABLE, "interrupted");
    }
  }

  /**
   * A long task: {@code POST path?params}, its progress events replayed into {@code progress} as
   * they arrive.
   *
   * @throws OciException the error the task ended with, or UNAVAILABLE when the stream broke off
   */
  TaskSummary task(String path, Map<String, List<String>> params, Progress progress) {
    HttpRequest request = request(uri(path, params))
        .POST(HttpRequest.BodyPublishers.noBody())
        .header("Accept", ProgressEvents.MEDIA_TYPE)
        .build();
    ProgressEvents.Reader reader = new ProgressEvents.Reader(progress);
    try {
      HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
      try (Stream<String> lines = response.body()) {
        if (response.statusCode() / 100 != 2) {
          throw refused(response.statusCode(), String.join("\n", lines.toList()));
        }
        lines.forEach(reader::accept);
      } catch (UncheckedIOException e) {
        throw new OciException(
            OciError.UNAVAILABLE, "the connection to the daemon broke during the task: " + e.getCause().getMessage());
      }
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OciException(OciError.UNAVAILABLE, "interrupted");
    }
    return reader.result();
  }

  // every request logs in: the admin API answers the admin only
  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
    String authorization = login.authorization();
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder;
  }

  // a 401 says which login was refused and where it came from; anything else is the daemon's error
  private OciException refused(int status, String body) {
    return status == 401 ? login.refusedBy(base.toString()) : error(status, body);
  }

  private URI uri(String path, Map<String, List<String>> params) {
    StringJoiner query = new StringJoiner("&");
    params.forEach((name, values) -> values.forEach(
        v -> query.add(name + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8))));
    return base.resolve(path + (query.length() == 0 ? "" : "?" + query));
  }

  private OciException unreachable(IOException e) {
    return new OciException(OciError.UNAVAILABLE, "cannot reach the daemon's admin API at " + base + ": " + e);
  }

  /** The daemon's OCI error body as an exception (code and message), or the status alone. */
  static OciException error(int status, String body) {
    try {
      JsonNode first = JSON.readTree(body).path("errors").path(0);
      String code = first.path("code").asText("");
      for (OciError e : OciError.values()) {
        if (e.code().equals(code)) {
          return OciException.withStatus(e, status, first.path("message").asText(e.message()));
        }
      }
    } catch (IOException notJson) {
      // fall through to the status
    }
    return OciException.withStatus(OciError.UNKNOWN, status, "the daemon answered HTTP " + status);
  }
}

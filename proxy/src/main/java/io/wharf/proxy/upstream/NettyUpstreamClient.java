package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.config.UpstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link UpstreamClient} of one upstream registry, on Netty: pooled keep-alive HTTP/1.1
 * connections (through an HTTP CONNECT proxy when {@link ProxySelection} says so), TLS with the
 * JVM's CAs plus the upstream's own, the token flow ({@link TokenAuth}), redirects without
 * credentials to other hosts ({@link Redirects}) and bounded retries ({@link Retries}).
 *
 * <p>Blob downloads are not resumed here: a body that ends early or a connection that drops
 * mid-body fails {@link #getBlob} with UNAVAILABLE once any byte reached the sink, and the caller
 * resumes by calling {@code getBlob} again with the offset it has (a Range request). Before the
 * first byte, the request is simply retried.
 *
 * <p>Implementation notes. Threads: requests run on the event loops of the group (shared, or two
 * of its own); {@link BlobSink} methods are called on an event loop and must not block, which
 * {@code write} honours by returning a stage. The returned futures complete on the callback
 * executor (the common pool by default), never on an event loop, so a caller's continuation
 * cannot stall I/O. Cancelling a returned future aborts the exchange in progress.
 *
 * <p>Thread-safe.
 */
public final class NettyUpstreamClient implements UpstreamClient {
  private static final Logger log = LoggerFactory.getLogger(NettyUpstreamClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Larger manifests are MANIFEST_INVALID (distribution caps at 4 MiB too). */
  static final int MAX_MANIFEST_BYTES = 4 << 20;

  /** Always the full set, so what a tag means never depends on the client that asked first. */
  static final String MANIFEST_ACCEPT = String.join(", ",
      MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);

  private static final String DIGEST_HEADER = "Docker-Content-Digest";

  private final URI base;
  private final Origin origin;
  private final ConnectionPool pool;
  private final TokenAuth auth;
  private final Retries retries;
  private final UpstreamCall.Context context;
  private final Executor callbacks;
  private final @Nullable EventLoopGroup ownedGroup;

  private NettyUpstreamClient(Builder b) {
    this.base = b.url;
    this.origin = Origin.of(b.url);
    this.callbacks = b.callbackExecutor;
    EventLoopGroup group = b.group;
    if (group == null) {
      group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("wharf-upstream", true),
          Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
      ownedGroup = group;
    } else {
      ownedGroup = null;
    }
    EventLoopGroup loops = group;
    try {
      Sleeper sleeper = b.sleeper != null ? b.sleeper : d -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loops.schedule(() -> f.complete(null), d.toNanos(), TimeUnit.NANOSECONDS);
        return f;
      };
      this.retries = new Retries(b.settings, sleeper, b.clock);
      ProxySelection proxies = b.proxies != null ? b.proxies : ProxySelection.fromEnvironment(System.getenv());
      this.pool = new ConnectionPool(group, channelType(group), UpstreamTls.clientContext(b.caFile), proxies, b.settings);
      this.context = new UpstreamCall.Context(pool, b.settings.readTimeout().toNanos(), retries);
      this.auth = new TokenAuth(b.url, b.username, b.password, b.ticker, this::fetchToken);
      log.atDebug()
          .addKeyValue("url", Redacted.url(b.url))
          .addKeyValue("proxy", proxies.select(origin) == null ? "none" : "connect")
          .addKeyValue("credentials", b.username != null)
          .log("upstream client ready");
    } catch (RuntimeException e) {
      if (ownedGroup != null) {
        ownedGroup.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      }
      throw e;
    }
  }

  /**
   * A builder for the client of this upstream: its URL, credentials and CA file from the config.
   * Set {@link Builder#settings}, and share the server's {@link Builder#eventLoopGroup} and the
   * process's {@link Builder#proxies} (from {@code System.getenv()} when not set).
   */
  public static Builder builder(UpstreamConfig upstream) {
    return builder(upstream.url())
        .credentials(upstream.username(), upstream.password())
        .caFile(upstream.caFile());
  }

  /** A builder for an upstream at this http(s) URL, anonymous until {@link Builder#credentials}. */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  @Override
  public CompletableFuture<ManifestHead> headManifest(String repository, String reference) {
    return manifestRequest(HttpMethod.HEAD, repository, reference, r -> r.discard().thenApply(x -> head(r)));
  }

  @Override
  public CompletableFuture<FetchedManifest> getManifest(String repository, String reference) {
    return manifestRequest(HttpMethod.GET, repository, reference, r -> r.readAll(MAX_MANIFEST_BYTES)
        .handle((body, e) -> {
          if (e == null) {
            return manifest(r, body);
          }
          Throwable c = CallHandler.unwrap(e);
          if (c instanceof CallHandler.BodyTooLargeException) {
            throw new OciException(OciError.MANIFEST_INVALID,
                "upstream manifest is larger than " + MAX_MANIFEST_BYTES + " bytes", "too large");
          }
          throw sneaky(c);
        }));
  }

  @Override
  public CompletableFuture<Void> getBlob(String repository, Digest digest, long offset, BlobSink sink) {
    requireNonNull(digest, "digest");
    requireNonNull(sink, "sink");
    if (offset < 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("offset < 0"));
    }
    OciException invalid = invalidName(repository);
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    URI url = endpoint(repository, "blobs", digest.toString());
    HttpHeaders headers = UpstreamCall.headers();
    if (offset > 0) {
      headers.set(HttpHeaderNames.RANGE, "bytes=" + offset + "-");
    }
    return execute(HttpMethod.GET, url, headers, repository, UpstreamErrors.Target.BLOB, r -> blobBody(r, offset, sink));
  }

  @Override
  public void close() {
    pool.close();
    if (ownedGroup != null) {
      ownedGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "NettyUpstreamClient[" + Redacted.url(base) + "]";
  }

  private <T> CompletableFuture<T> manifestRequest(
      HttpMethod method, String repository, String reference, UpstreamCall.OnSuccess<T> onSuccess) {
    OciException invalid = invalidName(repository);
    if (invalid == null) {
      try {
        ManifestReference.parse(reference);
      } catch (OciException e) {
        invalid = e;
      }
    }
    if (invalid != null) {
      return CompletableFuture.failedFuture(invalid);
    }
    HttpHeaders headers = UpstreamCall.headers().set(HttpHeaderNames.ACCEPT, MANIFEST_ACCEPT);
    URI url = endpoint(repository, "manifests", reference);
    return execute(method, url, headers, repository, UpstreamErrors.Target.MANIFEST, onSuccess);
  }

  private <T> CompletableFuture<T> execute(
      HttpMethod method, URI url, HttpHeaders headers, String repository, UpstreamErrors.Target target, UpstreamCall.OnSuccess<T> onSuccess) {
    CompletableFuture<T> result = new CompletableFuture<>();
    retries.run(method + " " + Redacted.url(url),
        () -> new UpstreamCall<>(context, method, url, headers, origin, auth, null, repository, target, onSuccess, result).run(),
        result);
    CompletableFuture<T> returned = new CompletableFuture<>();
    result.whenCompleteAsync((v, e) -> {
      if (e != null) {
        returned.completeExceptionally(CallHandler.unwrap(e));
      } else {
        returned.complete(v);
      }
    }, callbacks);
    returned.whenComplete((v, e) -> {
      if (returned.isCancelled()) {
        result.cancel(false); // aborts the exchange in progress, stops retrying
      }
    });
    return returned;
  }

  /** The token endpoint: GET with redirects, no challenges answered, credentials only to the realm. */
  private CompletableFuture<byte[]> fetchToken(URI url, @Nullable String authorization) {
    HttpHeaders headers = UpstreamCall.headers().set(HttpHeaderNames.ACCEPT, "application/json");
    CompletableFuture<byte[]> owner = new CompletableFuture<>();
    return new UpstreamCall<>(context, HttpMethod.GET, url, headers, Origin.of(url), null, authorization, "",
        UpstreamErrors.Target.TOKEN, r -> r.readAll(CallHandler.SMALL_BODY), owner).run();
  }

  private CompletableFuture<Void> blobBody(CallHandler r, long offset, BlobSink sink) {
    int status = r.status();
    long start;
    long total;
    if (status == 206) {
      long[] range = parseContentRange(r.headers().get(HttpHeaderNames.CONTENT_RANGE));
      if (range == null || range[0] != offset) {
        r.abort();
        return CompletableFuture.failedFuture(new OciException(OciError.UNAVAILABLE,
            "upstream answered bytes=" + offset + "- with Content-Range " + r.headers().get(HttpHeaderNames.CONTENT_RANGE),
            "bad range"));
      }
      start = range[0];
      total = range[2];
    } else if (status == 200) {
      start = 0;
      total = contentLength(r.headers());
    } else {
      r.discard();
      return CompletableFuture.failedFuture(new OciException(OciError.UNAVAILABLE,
          "upstream answered a blob GET with " + status, "upstream " + status));
    }
    try {
      sink.begin(start, total);
    } catch (RuntimeException e) {
      r.abort();
      return CompletableFuture.failedFuture(e);
    }
    boolean[] delivered = {false};
    return r.stream(chunk -> {
          delivered[0] = true;
          return sink.write(chunk);
        })
        .handle((n, e) -> {
          if (e == null) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          Throwable c = CallHandler.unwrap(e);
          if (c instanceof TransportException t && delivered[0]) {
            return CompletableFuture.<Void>failedFuture(t.toOciException()); // final: the caller resumes
          }
          return CompletableFuture.<Void>failedFuture(c);
        })
        .thenCompose(Function.identity());
  }

  private static ManifestHead head(CallHandler r) {
    String d = r.headers().get(DIGEST_HEADER);
    Digest digest = d != null && Digest.isDigest(d.trim()) ? Digest.parse(d.trim()) : null;
    if (d != null && digest == null) {
      log.atDebug().addKeyValue("origin", r.origin()).log("upstream sent an invalid Docker-Content-Digest");
    }
    String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
    return new ManifestHead(digest, type == null ? "application/octet-stream" : MediaTypes.bare(type), contentLength(r.headers()));
  }

  private static FetchedManifest manifest(CallHandler r, byte[] body) {
    String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
    String mediaType = type == null || type.isBlank() ? sniffMediaType(body) : MediaTypes.bare(type);
    String d = r.headers().get(DIGEST_HEADER);
    return new FetchedManifest(body, mediaType, d == null || d.isBlank() ? null : d.trim());
  }

  /** The manifest's own {@code mediaType} field, for an upstream that sent no Content-Type. */
  private static String sniffMediaType(byte[] body) {
    try {
      JsonNode t = JSON.readTree(body).get("mediaType");
      if (t != null && t.isTextual() && !t.asText().isBlank()) {
        return t.asText().trim().toLowerCase(Locale.ROOT);
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the parser downstream says so
    }
    return "application/octet-stream";
  }

  /** {start, end, total} of {@code bytes start-end/total}, total -1 for {@code *}; null when malformed. */
  static long @Nullable [] parseContentRange(@Nullable String header) {
    if (header == null) {
      return null;
    }
    String v = header.trim();
    if (!v.regionMatches(true, 0, "bytes ", 0, 6)) {
      return null;
    }
    v = v.substring(6).trim();
    int dash = v.indexOf('-');
    int slash = v.indexOf('/');
    if (dash <= 0 || slash < dash) {
      return null;
    }
    try {
      long start = Long.parseLong(v.substring(0, dash).trim());
      long end = Long.parseLong(v.substring(dash + 1, slash).trim());
      String t = v.substring(slash + 1).trim();
      long total = t.equals("*") ? -1 : Long.parseLong(t);
      if (start < 0 || end < start || (total >= 0 && end >= total)) {
        return null;
      }
      return new long[] {start, end, total};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long contentLength(HttpHeaders h) {
    String v = h.get(HttpHeaderNames.CONTENT_LENGTH);
    if (v == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(v.trim());
      return n < 0 ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private URI endpoint(String repository, String kind, String reference) {
    String prefix = base.getRawPath() == null ? "" : base.getRawPath();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return base.resolve(prefix + "/v2/" + repository + "/" + kind + "/" + reference);
  }

  private static @Nullable OciException invalidName(String repository) {
    try {
      RepositoryName.parse(repository);
      return null;
    } catch (OciException e) {
      return e;
    }
  }

  private static Class<? extends Channel> channelType(EventLoopGroup group) {
    if (group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
      return EpollSocketChannel.class;
    }
    return NioSocketChannel.class;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }

  /** Builds a {@link NettyUpstreamClient}; every setting but the URL has a default. */
  public static final class Builder {
    private final URI url;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable Path caFile;
    private UpstreamClientSettings settings = UpstreamClientSettings.DEFAULTS;
    private @Nullable EventLoopGroup group;
    private @Nullable ProxySelection proxies;
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();
    private @Nullable Sleeper sleeper;
    private Executor callbackExecutor = ForkJoinPool.commonPool();

    private Builder(URI url) {
      requireNonNull(url, "url");
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if ((!scheme.equals("http") && !scheme.equals("https")) || url.getHost() == null
          || url.getRawUserInfo() != null || url.getRawQuery() != null) {
        throw new IllegalArgumentException("not an http(s) URL without user or query: " + Redacted.url(url));
      }
      this.url = url;
    }

    /** Credentials for the token endpoint and Basic challenges; both null for anonymous pulls. */
    public Builder credentials(@Nullable String username, @Nullable String password) {
      if ((username == null) != (password == null)) {
        throw new IllegalArgumentException("username and password are set together or not at all");
      }
      this.username = username;
      this.password = password;
      return this;
    }

    /** A PEM bundle of CAs trusted on top of the JVM's, or null. */
    public Builder caFile(@Nullable Path caFile) {
      this.caFile = caFile;
      return this;
    }

    public Builder settings(UpstreamClientSettings settings) {
      this.settings = requireNonNull(settings, "settings");
      return this;
    }

    /** Event loops to share (not shut down by {@link #close}); the client starts two of its own without. */
    public Builder eventLoopGroup(EventLoopGroup group) {
      this.group = requireNonNull(group, "group");
      return this;
    }

    public Builder proxies(ProxySelection proxies) {
      this.proxies = requireNonNull(proxies, "proxies");
      return this;
    }

    /** The time source of token expiry (tests advance a fake one). */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** The wall clock that HTTP-date {@code Retry-After} values are measured against. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** How backoffs wait (tests record the waits instead). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Where returned futures complete; never an event loop. */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * @throws IllegalArgumentException when the CA file holds no certificate
     * @throws java.io.UncheckedIOException when the CA file cannot be read
     */
    public NettyUpstreamClient build() {
      return new NettyUpstreamClient(this);
    }
  }
}

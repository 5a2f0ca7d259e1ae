package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

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
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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

  /** Always the full set, so what a tag means never depends on the client that asked first. */
  static final String MANIFEST_ACCEPT = String.join(", ",
      MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);

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
    return manifestRequest(HttpMethod.HEAD, repository, reference, HeadManifest::read);
  }

  @Override
  public CompletableFuture<FetchedManifest> getManifest(String repository, String reference) {
    return manifestRequest(HttpMethod.GET, repository, reference, FetchManifest::read);
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
    return execute(HttpMethod.GET, url, headers, repository, UpstreamErrors.Target.BLOB, r -> FetchBlob.read(r, offset, sink));
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
    UpstreamCall.OnSuccess<byte[]> read = r -> r.readAll(CallHandler.SMALL_BODY).exceptionally(e -> {
      if (CallHandler.unwrap(e) instanceof CallHandler.BodyTooLargeException) {
        throw new OciException(OciError.UNAUTHORIZED, "upstream token response too large", "token endpoint: bad response");
      }
      throw CallHandler.rethrow(CallHandler.unwrap(e));
    });
    return new UpstreamCall<>(context, HttpMethod.GET, url, headers, Origin.of(url), null, authorization, "",
        UpstreamErrors.Target.TOKEN, read, owner).run();
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

    /** Event loops to share (not shut down by {@link NettyUpstreamClient#close}); without, the client starts two of its own. */
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

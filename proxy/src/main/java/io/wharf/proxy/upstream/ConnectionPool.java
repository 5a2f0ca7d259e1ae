package io.wharf.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.proxy.upstream.ProxySelection.ProxyServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep-alive connections per {@link Origin}, bounded ({@code maxConnectionsPerHost}), each with the
 * pipeline {@code [proxy-tunnel] [tls] codec idle-guard}; a {@link CallHandler} joins it for the
 * length of one exchange.
 *
 * <p>Implementation notes. One {@link FixedChannelPool} per origin: the upstream, its token realm,
 * and the CDN hosts its redirects name, a handful per upstream, kept until {@link #close}. Host
 * names are resolved on two threads of their own ({@link BlockingNameResolver}), and a guard fails
 * an acquire that takes longer than {@code acquireTimeout + connectTimeout} in all (a black-holed
 * DNS server). Connections read automatically while idle, so an upstream that closes one is
 * noticed and the health check drops it before reuse.
 *
 * <p>Thread-safe.
 */
final class ConnectionPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionPool.class);

  /** Set once a connection has carried a whole exchange: a failure on it may be staleness. */
  static final AttributeKey<Boolean> REUSED = AttributeKey.valueOf(ConnectionPool.class, "reused");

  /**
   * Why a connection failed while no exchange held it (a proxy's 407, a TLS refusal during the
   * handshake that ran before the request was written): the exchange then reports this cause
   * rather than the closed channel it finds.
   */
  static final AttributeKey<Throwable> SETUP_FAILURE = AttributeKey.valueOf(ConnectionPool.class, "setupFailure");

  static final String CODEC = "codec";
  static final String IDLE_GUARD = "idle-guard";

  /** A socket read becomes one body chunk, rather than 8 KiB slices of it. */
  private static final int MAX_CHUNK = 1 << 20;

  /**
   * The largest socket read: the largest buffer Netty's adaptive allocator pools when the heap is
   * small ({@code io.netty.allocator.lowMemory}, below 512 MiB: 2 MiB chunks of 8 buffers), as it
   * is under the launcher. A larger one comes from malloc on every read and may come back as fresh
   * pages, faulted and zeroed again (most of a cold pull's network thread, measured).
   */
  static final int MAX_READ = 256 * 1024;

  private final EventLoopGroup group;
  private final Bootstrap base;
  private final SslContext ssl;
  private final ProxySelection proxies;
  private final UpstreamClientSettings settings;
  private final DefaultEventExecutorGroup dns;
  private final ConcurrentHashMap<Origin, FixedChannelPool> pools = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ConnectionPool(
      EventLoopGroup group,
      Class<? extends Channel> channelType,
      SslContext ssl,
      ProxySelection proxies,
      UpstreamClientSettings settings) {
    this.group = group;
    this.ssl = ssl;
    this.proxies = proxies;
    this.settings = settings;
    this.dns = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("wharf-upstream-dns", true));
    this.base = new Bootstrap()
        .group(group)
        .channel(channelType)
        .resolver(new BlockingNameResolver.Group(dns))
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        // blob bodies: read what the socket holds in large reads, but no larger than the buffers
        // Netty's allocator pools (a larger one is a fresh malloc, zeroed and page-faulted, each time)
        .option(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64 * 1024, MAX_READ, MAX_READ));
  }

  /**
   * A connection to the origin, new or pooled, connected (a tunnel and TLS may still be opening:
   * their handlers hold writes back until they are). Give it back with {@link #release}.
   *
   * @return fails with a {@link TransportException} of kind CONNECT
   */
  CompletableFuture<Channel> acquire(Origin origin) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new TransportException(TransportException.Kind.CONNECT, "upstream client closed"));
      return result;
    }
    FixedChannelPool pool = pools.computeIfAbsent(origin, this::newPool);
    long guardMillis = settings.acquireTimeout().plus(settings.connectTimeout()).toMillis();
    ScheduledFuture<?> guard;
    try {
      guard = group.schedule(
          () -> result.completeExceptionally(new TransportException(
              TransportException.Kind.CONNECT, "no connection to " + origin + " within " + guardMillis + " ms")),
          guardMillis,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new TransportException(TransportException.Kind.CONNECT, "upstream client closed"));
      return result;
    }
    pool.acquire().addListener((Future<Channel> f) -> {
      guard.cancel(false);
      if (f.isSuccess()) {
        Channel ch = f.getNow();
        if (!result.complete(ch)) {
          pool.release(ch); // the guard fired meanwhile
        }
      } else {
        result.completeExceptionally(connectFailure(origin, f.cause()));
      }
    });
    return result;
  }

  /** Gives a connection back; a closed one only frees its slot. Never throws. */
  void release(Origin origin, Channel channel) {
    FixedChannelPool pool = pools.get(origin);
    if (pool == null) {
      channel.close();
      return;
    }
    pool.release(channel).addListener(f -> {
      if (!f.isSuccess()) {
        channel.close(); // the pool was closed meanwhile
      }
    });
  }

  @Override
  public void close() {
    closed = true;
    for (FixedChannelPool pool : pools.values()) {
      pool.closeAsync();
    }
    pools.clear();
    dns.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private FixedChannelPool newPool(Origin origin) {
    ProxyServer proxy = proxies.select(origin);
    InetSocketAddress remote = proxy == null
        ? origin.unresolvedAddress()
        : InetSocketAddress.createUnresolved(proxy.host(), proxy.port());
    log.atDebug()
        .addKeyValue("origin", origin)
        .addKeyValue("proxy", proxy == null ? "none" : proxy.host() + ":" + proxy.port())
        .log("new upstream connection pool");
    return new FixedChannelPool(
        base.clone().remoteAddress(remote),
        new AbstractChannelPoolHandler() {
          @Override
          public void channelCreated(Channel ch) {
            initPipeline(ch, origin, proxy);
          }
        },
        ChannelHealthChecker.ACTIVE,
        FixedChannelPool.AcquireTimeoutAction.FAIL,
        settings.acquireTimeout().toMillis(),
        settings.maxConnectionsPerHost(),
        Integer.MAX_VALUE,
        true,
        true);
  }

  private void initPipeline(Channel ch, Origin origin, @Nullable ProxyServer proxy) {
    long connectMillis = settings.connectTimeout().toMillis();
    ChannelPipeline p = ch.pipeline();
    if (proxy != null) {
      p.addLast(ProxyTunnelHandler.NAME, new ProxyTunnelHandler(origin, proxy.username(), proxy.password(), connectMillis));
    }
    if (origin.tls()) {
      SslHandler tls = ssl.newHandler(ch.alloc(), origin.host(), origin.port()); // peer host: SNI and name check
      tls.setHandshakeTimeoutMillis(connectMillis);
      p.addLast("tls", tls);
    }
    p.addLast(CODEC, new HttpClientCodec(new HttpDecoderConfig().setMaxChunkSize(MAX_CHUNK), false, false));
    p.addLast(IDLE_GUARD, IdleGuard.INSTANCE);
  }

  private static TransportException connectFailure(Origin origin, Throwable cause) {
    if (cause instanceof TransportException t) {
      return t;
    }
    String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new TransportException(TransportException.Kind.CONNECT, "cannot connect to " + origin + ": " + why, cause);
  }

  /** The last handler: bytes or errors on a connection no exchange holds close it. */
  @ChannelHandler.Sharable
  private static final class IdleGuard extends ChannelInboundHandlerAdapter {
    static final IdleGuard INSTANCE = new IdleGuard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.atDebug().addKeyValue("cause", cause.toString()).log("idle upstream connection failed");
      ctx.channel().attr(SETUP_FAILURE).setIfAbsent(cause);
      ctx.close();
    }
  }
}

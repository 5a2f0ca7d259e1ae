package io.wharf.proxy.server;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.wharf.proxy.config.ServerConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.tls.ServerTls;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the distribution API: binds {@code server.http.listen}, and {@code
 * server.https.listen} when given TLS, with epoll where the native transport loads (NIO otherwise)
 * and stops gracefully. Both listeners share the event loops and route threads and serve the same
 * routes.
 *
 * <p>Implementation notes. Threads: one acceptor, {@code server.ioThreads} event loops (Netty's
 * default when 0) that only move bytes, and a pool of route threads where requests run, because
 * routes block on the disk (see {@code RouteHandler}). Stopping closes the listening socket first,
 * then lets in-flight responses drain for a short quiet period before the loops end.
 */
public final class WharfServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WharfServer.class);

  /** How long in-flight requests get to finish on stop. */
  private static final long STOP_TIMEOUT_SECONDS = 10;

  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final RouteThreads routeThreads;
  private final Channel channel;
  private final @Nullable Channel httpsChannel;
  private final String transport;
  private boolean closed;

  private WharfServer(
      EventLoopGroup acceptor, EventLoopGroup workers, RouteThreads routeThreads, Channel channel,
      @Nullable Channel httpsChannel, String transport) {
    this.acceptor = acceptor;
    this.workers = workers;
    this.routeThreads = routeThreads;
    this.channel = channel;
    this.httpsChannel = httpsChannel;
    this.transport = transport;
  }

  /**
   * Binds plain HTTP only and starts serving these routes.
   *
   * @param metrics where the access log counts requests; null counts nothing
   */
  public static WharfServer start(ServerConfig config, Routes routes, @Nullable WharfMetrics metrics) {
    return start(config, routes, metrics, null);
  }

  /**
   * Binds and starts serving these routes: HTTP, and HTTPS on {@code server.https.listen} with
   * {@code tls} when it is given (and that listener is configured).
   *
   * @param metrics where the access log counts requests; null counts nothing
   * @param tls the HTTPS listener's certificate; null serves no HTTPS
   */
  public static WharfServer start(ServerConfig config, Routes routes, @Nullable WharfMetrics metrics, @Nullable ServerTls tls) {
    requireNonNull(config, "config");
    requireNonNull(routes, "routes");
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("wharf-accept"), io);
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("wharf-io"), io);
    RouteThreads routeThreads = new RouteThreads();
    Router router = new Router();
    ConnectionLimit connections = new ConnectionLimit(config.maxConnections(), metrics); // one count for every listener
    Channel channel = null;
    try {
      channel = bind(acceptor, workers, channelType,
          connections.first(new ServerInitializer(config, router, routes, routeThreads, metrics)),
          config.http().listen().toSocketAddress());
      Channel httpsChannel = null;
      if (tls != null && config.https().enabled()) {
        InetSocketAddress https = requireNonNull(config.https().listen()).toSocketAddress();
        try {
          httpsChannel = bind(acceptor, workers, channelType,
              connections.first(new ServerInitializer(config, router, routes, routeThreads, metrics, tls)), https);
        } catch (Exception e) { // Netty rethrows the checked BindException unchecked
          // say which listener: "address already in use" alone does not tell HTTP from HTTPS
          throw new IllegalStateException("cannot listen on server.https.listen " + config.https().listen()
              + ": " + e.getMessage(), e);
        }
      }
      WharfServer server = new WharfServer(acceptor, workers, routeThreads, channel, httpsChannel, epoll ? "epoll" : "nio");
      log.atDebug()
          .addKeyValue("address", server.address())
          .addKeyValue("httpsAddress", server.httpsAddress())
          .addKeyValue("transport", server.transport)
          .log("http server listening");
      return server;
    } catch (RuntimeException e) {
      if (channel != null) {
        channel.close().syncUninterruptibly();
      }
      shutdown(acceptor, workers, routeThreads);
      throw e;
    }
  }

  private static Channel bind(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerChannel> channelType,
      ChannelHandler initializer, InetSocketAddress address) {
    return new ServerBootstrap()
        .group(acceptor, workers)
        .channel(channelType)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(initializer)
        .bind(address)
        .syncUninterruptibly()
        .channel();
  }

  /** The address actually bound (the real port when the config asked for port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The port actually bound. */
  public int port() {
    return address().getPort();
  }

  /** The HTTPS address actually bound; null when no HTTPS is served. */
  public @Nullable InetSocketAddress httpsAddress() {
    return httpsChannel == null ? null : (InetSocketAddress) httpsChannel.localAddress();
  }

  /** The HTTPS port actually bound; -1 when no HTTPS is served. */
  public int httpsPort() {
    InetSocketAddress https = httpsAddress();
    return https == null ? -1 : https.getPort();
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return transport;
  }

  /** Stops accepting, lets in-flight requests finish briefly, then releases every thread. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    channel.close().syncUninterruptibly();
    if (httpsChannel != null) {
      httpsChannel.close().syncUninterruptibly();
    }
    shutdown(acceptor, workers, routeThreads);
    log.atInfo().log("http server stopped");
  }

  private static void shutdown(EventLoopGroup acceptor, EventLoopGroup workers, RouteThreads routes) {
    Future<?> a = acceptor.shutdownGracefully(0, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Future<?> w = workers.shutdownGracefully(100, STOP_TIMEOUT_SECONDS * 1000, TimeUnit.MILLISECONDS);
    routes.shutdown();
    a.awaitUninterruptibly();
    w.awaitUninterruptibly();
    routes.awaitTermination(STOP_TIMEOUT_SECONDS * 1000);
  }

}

package io.wharf.bench.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The load generator's HTTP/1.1 client: a few event-loop threads (epoll where available) and
 * keep-alive {@link Connection}s, one per concurrent client. Bodies are counted as they arrive and
 * released, never aggregated; SHA-256 only where a request asks. It shares the machine's cores with
 * the servers it measures, so it does as little as it can per byte.
 */
public final class BenchHttpClient implements AutoCloseable {

  /** Bodies decode into chunks of up to this many bytes: one per socket read, not 8 KiB slices. */
  private static final int MAX_CHUNK = 1 << 20;
  private static final int MAX_HEADER = 64 * 1024;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final Bootstrap tlsBootstrap;
  private final String transport;
  private final SslContext tls;

  /**
   * @param threads event-loop threads
   * @param readTimeout the longest a response may stay silent while a request is in flight
   */
  public BenchHttpClient(int threads, Duration readTimeout) {
    requireNonNull(readTimeout, "readTimeout");
    boolean epoll = Epoll.isAvailable();
    this.transport = epoll ? "epoll" : "nio";
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-io", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    long idleMillis = readTimeout.toMillis();
    this.tls = clientTls();
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
        // large reads for blob bodies: fewer syscalls and fewer chunk objects per GiB
        .option(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
        .handler(initializer(idleMillis, null));
    this.tlsBootstrap = bootstrap.clone().handler(initializer(idleMillis, tls));
  }

  private static ChannelInitializer<Channel> initializer(long idleMillis, @Nullable SslContext tls) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (tls != null) {
          ch.pipeline().addLast(tls.newHandler(ch.alloc()));
        }
        ch.pipeline()
            .addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
            .addLast(new HttpClientCodec(new HttpDecoderConfig()
                .setMaxChunkSize(MAX_CHUNK).setMaxHeaderSize(MAX_HEADER), false, false))
            .addLast(new ChunkedWriteHandler())
            .addLast(Connection.HANDLER_NAME, new Connection.ExchangeHandler());
      }
    };
  }

  /**
   * The client side of https:// targets: OpenSSL when it loads (the client shares the cores with
   * the server, so its own TLS cost must be as low as it can be, and the same for every target),
   * and no certificate verification: targets are on loopback, usually with a self-signed
   * certificate, and the bench measures throughput, not trust.
   */
  private static SslContext clientTls() {
    try {
      return SslContextBuilder.forClient()
          .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .applicationProtocolConfig(ApplicationProtocolConfig.DISABLED)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up client TLS: " + e.getMessage(), e);
    }
  }

  /** "OpenSSL" or "JDK": who does the client's TLS for https:// targets. */
  public static String tlsProvider() {
    return OpenSsl.isAvailable() ? "OpenSSL" : "JDK";
  }

  /** "epoll" or "nio", for the report. */
  public String transport() {
    return transport;
  }

  /** A connection to {@code base} (scheme http or https, host and port), opened now. */
  public Connection connect(URI base) throws IOException {
    Connection c = new Connection(this, address(base), hostHeader(base), "https".equals(base.getScheme()));
    c.connectNow();
    return c;
  }

  /** {@code n} connections to {@code base}, all opened now (closed again if one fails). */
  public List<Connection> connect(URI base, int n) throws IOException {
    var list = new ArrayList<Connection>(n);
    try {
      for (int i = 0; i < n; i++) {
        list.add(connect(base));
      }
    } catch (IOException | RuntimeException e) {
      list.forEach(Connection::close);
      throw e;
    }
    return list;
  }

  ChannelFuture openChannel(InetSocketAddress address, boolean overTls) {
    return (overTls ? tlsBootstrap : bootstrap).connect(address);
  }

  static Duration connectTimeout() {
    return CONNECT_TIMEOUT;
  }

  private static InetSocketAddress address(URI base) {
    boolean https = "https".equals(base.getScheme());
    if (!https && !"http".equals(base.getScheme())) {
      throw new IllegalArgumentException("only http:// and https:// URLs are supported: " + base);
    }
    if (base.getHost() == null) {
      throw new IllegalArgumentException("URL without a host: " + base);
    }
    int port = base.getPort() != -1 ? base.getPort() : https ? 443 : 80;
    return new InetSocketAddress(base.getHost(), port);
  }

  private static String hostHeader(URI base) {
    return base.getPort() == -1 ? base.getHost() : base.getHost() + ":" + base.getPort();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

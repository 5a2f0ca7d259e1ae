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
  private final String transport;

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
    this.bootstrap = new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
        // large reads for blob bodies: fewer syscalls and fewer chunk objects per GiB
        .option(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 65536, 1 << 20))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                .addLast(new HttpClientCodec(new HttpDecoderConfig()
                    .setMaxChunkSize(MAX_CHUNK).setMaxHeaderSize(MAX_HEADER), false, false))
                .addLast(new ChunkedWriteHandler())
                .addLast(Connection.HANDLER_NAME, new Connection.ExchangeHandler());
          }
        });
  }

  /** "epoll" or "nio", for the report. */
  public String transport() {
    return transport;
  }

  /** A connection to {@code base} (scheme http, host and port), opened now. */
  public Connection connect(URI base) throws IOException {
    Connection c = new Connection(this, address(base), hostHeader(base));
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

  ChannelFuture openChannel(InetSocketAddress address) {
    return bootstrap.connect(address);
  }

  static Duration connectTimeout() {
    return CONNECT_TIMEOUT;
  }

  private static InetSocketAddress address(URI base) {
    if (!"http".equals(base.getScheme())) {
      throw new IllegalArgumentException("only http:// URLs are supported: " + base);
    }
    if (base.getHost() == null) {
      throw new IllegalArgumentException("URL without a host: " + base);
    }
    int port = base.getPort() == -1 ? 80 : base.getPort();
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

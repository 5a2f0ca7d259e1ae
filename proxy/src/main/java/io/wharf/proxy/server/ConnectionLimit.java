package io.wharf.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.wharf.proxy.metrics.WharfMetrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code server.maxConnections}: one count of open client connections shared by every listener; a
 * connection accepted while the cap is reached is closed at once, before it is read. Refusals are
 * counted ({@code wharf_connections_refused_total}) and logged at most once per
 * {@link #LOG_INTERVAL_NANOS}, with how many there were since the last line, so a flood does not
 * flood the log too.
 *
 * <p>Made once per server and put first in each connection's pipeline ({@link #first}); it leaves
 * the pipeline of a connection it lets in. Thread-safe.
 */
@Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
  static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final int max;
  private final @Nullable WharfMetrics metrics;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refusedSinceLog = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

  /** @param metrics where open and refused connections show; null shows nothing */
  ConnectionLimit(int max, @Nullable WharfMetrics metrics) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
    this.metrics = metrics;
    if (metrics != null) {
      metrics.registerOpenConnections(open::get);
    }
  }

  /** A child handler that puts this limit first, then {@code connection}'s handlers. */
  ChannelHandler first(ChannelHandler connection) {
    ConnectionLimit limit = this;
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(limit, connection);
      }
    };
  }

  /** Client connections open now. */
  int open() {
    return open.get();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      refuse(ctx);
      return;
    }
    ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
  }

  private void refuse(ChannelHandlerContext ctx) {
    if (metrics != null) {
      metrics.connectionRefused(); // before the close, which the client may see at once
    }
    refusedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(last, now)) {
      log.atWarn()
          .addKeyValue("maxConnections", max)
          .addKeyValue("refused", refusedSinceLog.getAndSet(0))
          .log("connection limit reached: refusing new connections (server.maxConnections)");
    }
    ctx.channel().config().setAutoRead(false);
    ctx.close();
  }
}

package io.wharf.proxy.server;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backpressure for request bodies: the route handler runs off the event loop, so body pieces
 * queue up between the two; past the high watermark of queued bytes this stops reading from the
 * socket, and below the low one it reads again. A client pushing faster than the disk takes
 * bytes waits in TCP, not in memory.
 *
 * <p>Implementation notes. Concurrency: pieces are counted in on the event loop and out
 * ({@link #consumed}) on the route thread. Only the event loop changes auto-read. Pausing sets
 * {@code paused} before re-reading the count, and a consumer reads {@code paused} after lowering
 * the count, so one of the two always sees the other (both are sequentially consistent atomics)
 * and a pause is never left without a resume.
 */
final class UploadFlowControl extends ChannelInboundHandlerAdapter {
  private final long high;
  private final long low;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean paused = new AtomicBoolean();
  private volatile ChannelHandlerContext ctx;

  UploadFlowControl(long high, long low) {
    if (low < 0 || high <= low) {
      throw new IllegalArgumentException("need 0 <= low < high");
    }
    this.high = high;
    this.low = low;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent content) {
      long now = queued.addAndGet(content.content().readableBytes());
      if (now >= high && !paused.get()) {
        pause(ctx.channel().config());
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The route handler has dealt with {@code bytes} of body. Any thread. */
  void consumed(long bytes) {
    long now = queued.addAndGet(-bytes);
    if (now <= low && paused.get()) {
      ChannelHandlerContext c = ctx;
      if (c.executor().inEventLoop()) {
        resume();
      } else {
        c.executor().execute(this::resume);
      }
    }
  }

  /** Bytes handed on and not yet consumed. */
  long queued() {
    return queued.get();
  }

  private void pause(ChannelConfig config) {
    paused.set(true);
    config.setAutoRead(false);
    if (queued.get() <= low) {
      resume(); // drained meanwhile
    }
  }

  private void resume() {
    if (queued.get() <= low && paused.compareAndSet(true, false)) {
      ctx.channel().config().setAutoRead(true);
    }
  }
}

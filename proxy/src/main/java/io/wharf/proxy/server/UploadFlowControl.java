package io.wharf.proxy.server;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backpressure on what a connection makes the server hold: socket reads pause while too much is
 * pending, and resume once it is not.
 *
 * <ul>
 *   <li>Request bodies: the route handler runs off the event loop, so body pieces queue up
 *       between the two; past the high watermark of queued bytes reads pause, below the low one
 *       they resume. A client pushing faster than the disk takes bytes waits in TCP, not in memory.
 *   <li>Responses: a client may pipeline requests and read none of the answers. Reads pause while
 *       more than {@link #MAX_UNANSWERED} requests are unanswered, or while any is and the
 *       connection's outbound buffer is past its high watermark (not writable), so the answers a
 *       slow reader makes the server hold are bounded: about one response, plus what one read
 *       brought in (the {@code FlowControlHandler} before this handler keeps decoded requests
 *       waiting while reads are paused). One slow reader of one response never holds much: a blob
 *       goes as a file region or in chunks written only while the connection is writable.
 * </ul>
 *
 * <p>Implementation notes. Concurrency: pieces are counted in on the event loop and out
 * ({@link #consumed}) on the route thread. Only the event loop changes auto-read, and the count of
 * unanswered requests is the event loop's alone. Pausing sets {@code paused} before re-reading the
 * count, and a consumer reads {@code paused} after lowering the count, so one of the two always
 * sees the other (both are sequentially consistent atomics) and a pause is never left without a
 * resume.
 */
final class UploadFlowControl extends ChannelDuplexHandler {
  /** Requests read and not answered yet past which reads pause: pipelining is allowed, a flood not. */
  static final int MAX_UNANSWERED = 8;

  private final long high;
  private final long low;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicBoolean paused = new AtomicBoolean();
  private volatile ChannelHandlerContext ctx;
  /** Requests read whose response is not completely written. Event loop only. */
  private int unanswered;

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
    if (msg instanceof HttpRequest) {
      unanswered++;
    }
    if (msg instanceof HttpContent content) {
      queued.addAndGet(content.content().readableBytes());
    }
    if (!paused.get() && (queued.get() >= high || responsesBacklogged())) {
      pause(ctx.channel().config());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    // a file body under TLS passes here whole, as chunks to come (ChunkedWriteHandler, nearer the
    // socket, writes them and its last one ends the response); its promise completes with the last
    if ((msg instanceof LastHttpContent && !informational) || msg instanceof HttpChunkedInput) {
      ChannelPromise p = promise.unvoid();
      p.addListener(f -> answered());
      ctx.write(msg, p);
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      resume();
    } else if (!paused.get() && responsesBacklogged()) {
      pause(ctx.channel().config());
    }
    ctx.fireChannelWritabilityChanged();
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

  /** Requests read whose response is not completely written. Event loop only. */
  int unanswered() {
    return unanswered;
  }

  private void answered() {
    unanswered--;
    resume();
  }

  // event loop only
  private boolean responsesBacklogged() {
    return unanswered > MAX_UNANSWERED || (unanswered > 0 && !ctx.channel().isWritable());
  }

  private void pause(ChannelConfig config) {
    paused.set(true);
    config.setAutoRead(false);
    resume(); // drained meanwhile, or nothing to wait for after all
  }

  // event loop only
  private void resume() {
    if (queued.get() <= low && !responsesBacklogged() && paused.compareAndSet(true, false)) {
      ctx.channel().config().setAutoRead(true);
    }
  }
}

package io.wharf.proxy.upstream;

import static io.wharf.proxy.upstream.TransportException.Kind.CANCELLED;
import static io.wharf.proxy.upstream.TransportException.Kind.PROTOCOL;
import static io.wharf.proxy.upstream.TransportException.Kind.RESET;
import static io.wharf.proxy.upstream.TransportException.Kind.STALE;
import static io.wharf.proxy.upstream.TransportException.Kind.TIMEOUT;
import static io.wharf.proxy.upstream.TransportException.Kind.TRUNCATED;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP exchange on a pooled connection: writes the request, hands over the response head, then
 * the body in the way the caller picks ({@link #readAll} up to a cap, {@link #stream} with
 * backpressure, or {@link #discard}), and gives the connection back to the pool, or closes it when
 * the body did not end cleanly.
 *
 * <p>Implementation notes. Concurrency: all state lives on the channel's event loop; the public
 * methods hop onto it. A sink's stage that is already complete when it is returned (the sink keeps
 * up) is taken in the same loop, so the connection goes on reading with no hop and no toggling of
 * auto-read; a later completion comes back through {@code execute}, never inline, so a sink cannot
 * recurse. Backpressure: the connection reads automatically only while the handler wants bytes;
 * while the sink holds a chunk it stops reading, so at most one socket read (the chunks already
 * decoded from it, queued) waits in memory. Read timeout: a
 * timer that counts silence only while bytes are wanted, so a slow sink is never a timeout.
 * Failure: a close or reset before the head is {@link TransportException.Kind#STALE} on a reused
 * connection (resent once) and {@code RESET} otherwise; after the head, {@code TRUNCATED} when the
 * body had a length and fell short. A body failing while the sink writes fails the stream only once
 * that write completed, so the sink is never written to after its fetch failed.
 */
final class CallHandler extends ChannelInboundHandlerAdapter {
  static final String NAME = "call";

  /** An error or redirect body is read up to this much, then the connection is dropped instead. */
  static final int SMALL_BODY = 64 * 1024;

  /**
   * Where a streamed chunk goes; the buffer is valid until the returned stage completes (retain it
   * to keep it longer).
   */
  interface ChunkConsumer {
    CompletionStage<Void> accept(ByteBuf chunk);
  }

  /** A body larger than {@link #readAll}'s cap; the connection was closed. */
  static final class BodyTooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
      super(message, null, false, false);
    }
  }

  private enum Mode { AWAIT_HEAD, AWAIT_MODE, BUFFER, DISCARD, STREAM }

  private final Channel channel;
  private final ConnectionPool pool;
  private final Origin origin;
  private final boolean headRequest;
  private final long readTimeoutNanos;
  private final boolean reused;
  private final CompletableFuture<CallHandler> head = new CompletableFuture<>();
  private final ArrayDeque<HttpContent> queue = new ArrayDeque<>();

  private Mode mode = Mode.AWAIT_HEAD;
  private @Nullable HttpResponse response;
  private boolean informational;
  private boolean lastQueued;
  private long bodyLength = -1;
  private long receivedBytes;
  private boolean anyResponseByte;
  private @Nullable CompletableFuture<?> body;
  private @Nullable ByteArrayOutputStream buffer;
  private int cap;
  private @Nullable ChunkConsumer consumer;
  private @Nullable HttpContent inSink;
  private long deliveredBytes;
  private @Nullable TransportException failure;
  private boolean released;
  private boolean brokenAfterEnd;
  private boolean awaitingBytes;
  private long lastActivity;
  private @Nullable ScheduledFuture<?> timer;

  private CallHandler(Channel channel, ConnectionPool pool, Origin origin, boolean headRequest, long readTimeoutNanos) {
    this.channel = channel;
    this.pool = pool;
    this.origin = origin;
    this.headRequest = headRequest;
    this.readTimeoutNanos = readTimeoutNanos;
    this.reused = Boolean.TRUE.equals(channel.attr(ConnectionPool.REUSED).get());
  }

  /**
   * Sends the request on a pooled connection to the origin.
   *
   * @param owner the caller's future: once it is cancelled, the exchange is aborted
   * @return completes with this exchange once the response head arrived; fails with a {@link
   *     TransportException}
   */
  static CompletableFuture<CallHandler> send(
      ConnectionPool pool, Origin origin, HttpRequest request, long readTimeoutNanos, CompletableFuture<?> owner) {
    CompletableFuture<CallHandler> result = new CompletableFuture<>();
    if (owner.isCancelled()) {
      ReferenceCountUtil.release(request);
      result.completeExceptionally(new TransportException(CANCELLED, "request to " + origin + " cancelled"));
      return result;
    }
    boolean headRequest = request.method().equals(HttpMethod.HEAD);
    pool.acquire(origin).whenComplete((ch, err) -> {
      if (err != null) {
        ReferenceCountUtil.release(request);
        result.completeExceptionally(unwrap(err));
        return;
      }
      try {
        ch.eventLoop().execute(() -> {
          CallHandler h = new CallHandler(ch, pool, origin, headRequest, readTimeoutNanos);
          h.head.whenComplete((v, e) -> {
            if (e != null) {
              result.completeExceptionally(e);
            } else {
              result.complete(v);
            }
          });
          h.start(request);
          owner.whenComplete((x, y) -> {
            if (owner.isCancelled()) {
              h.abort();
            }
          });
        });
      } catch (RejectedExecutionException e) {
        ReferenceCountUtil.release(request);
        pool.release(origin, ch);
        result.completeExceptionally(new TransportException(TransportException.Kind.CONNECT, "upstream client closed"));
      }
    });
    return result;
  }

  private void start(HttpRequest request) {
    ChannelPipeline p = channel.pipeline();
    if (p.get(ConnectionPool.IDLE_GUARD) == null) { // closed meanwhile: the pipeline was torn down
      ReferenceCountUtil.release(request);
      fail(closedBeforeResponse());
      return;
    }
    p.addBefore(ConnectionPool.IDLE_GUARD, NAME, this);
    setReading(true);
    channel.writeAndFlush(request).addListener(f -> {
      if (!f.isSuccess()) {
        fail(classify(f.cause()));
      }
    });
  }

  HttpResponse response() {
    HttpResponse r = response;
    if (r == null) {
      throw new IllegalStateException("no response yet");
    }
    return r;
  }

  int status() {
    return response().status().code();
  }

  HttpHeaders headers() {
    return response().headers();
  }

  Origin origin() {
    return origin;
  }

  /** The whole body, at most {@code cap} bytes; fails with {@link BodyTooLargeException} past it. */
  CompletableFuture<byte[]> readAll(int cap) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    onLoop(() -> startBody(f, Mode.BUFFER, cap, null), f);
    return f;
  }

  /** Reads and drops a small body so the connection can be reused; closes it when the body is big. */
  CompletableFuture<Void> discard() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    onLoop(() -> startBody(f, Mode.DISCARD, SMALL_BODY, null), f);
    return f;
  }

  /**
   * Streams the body chunk by chunk, reading the next one only once the consumer's stage for the
   * previous one completed.
   *
   * @return the number of bytes delivered; fails with a {@link TransportException} or the
   *     consumer's own failure, in which case the consumer got some prefix of the body
   */
  CompletableFuture<Long> stream(ChunkConsumer c) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    onLoop(() -> startBody(f, Mode.STREAM, 0, c), f);
    return f;
  }

  /** Gives up on the exchange (the caller cancelled): the connection is closed. */
  void abort() {
    onLoop(() -> fail(new TransportException(CANCELLED, "request to " + origin + " cancelled")), null);
  }

  private void startBody(CompletableFuture<?> f, Mode m, int cap, @Nullable ChunkConsumer c) {
    if (mode != Mode.AWAIT_MODE || body != null) {
      f.completeExceptionally(new IllegalStateException("body already taken"));
      return;
    }
    body = f;
    if (failure != null) {
      f.completeExceptionally(failure);
      return;
    }
    mode = m;
    this.cap = cap;
    this.consumer = c;
    if (m == Mode.BUFFER) {
      if (bodyLength > cap) {
        tooLarge();
        return;
      }
      buffer = new ByteArrayOutputStream((int) Math.max(0, Math.min(cap, bodyLength < 0 ? 8192 : bodyLength)));
    } else if (m == Mode.DISCARD && bodyLength > cap) {
      finish(false);
      complete(null);
      return;
    }
    drain();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivity = System.nanoTime();
    anyResponseByte = true;
    if (failure != null || released) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      fail(new TransportException(PROTOCOL, "malformed response from " + origin + ": " + o.decoderResult().cause()));
      return;
    }
    if (msg instanceof HttpResponse r) {
      onHead(r);
    }
    if (msg instanceof HttpContent c) {
      if (informational || response == null) {
        if (c instanceof LastHttpContent) {
          informational = false;
        }
        c.release();
        return;
      }
      receivedBytes += c.content().readableBytes();
      queue.add(c);
      if (c instanceof LastHttpContent) {
        lastQueued = true;
      }
      drain();
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(HttpResponse r) {
    int code = r.status().code();
    if (code >= 100 && code < 200) {
      informational = true; // 100 Continue and the like: skip it and wait for the real answer
      return;
    }
    if (response != null) {
      fail(new TransportException(PROTOCOL, "second response from " + origin));
      return;
    }
    response = r;
    bodyLength = headRequest || code == 204 || code == 304 ? 0 : contentLength(r);
    mode = Mode.AWAIT_MODE;
    setReading(false);
    head.complete(this);
  }

  private void drain() {
    if (failure != null || released) {
      return;
    }
    if (mode == Mode.BUFFER || mode == Mode.DISCARD) {
      drainBuffer();
    } else if (mode == Mode.STREAM) {
      drainStream();
    }
  }

  private void drainBuffer() {
    HttpContent c;
    while ((c = queue.poll()) != null) {
      boolean last = c instanceof LastHttpContent;
      try {
        ByteBuf b = c.content();
        if (receivedBytes > cap) {
          if (mode == Mode.BUFFER) {
            tooLarge();
          } else {
            finish(false);
            complete(null);
          }
          return;
        }
        if (mode == Mode.BUFFER && b.isReadable()) {
          ByteArrayOutputStream out = buffer;
          b.getBytes(b.readerIndex(), out, b.readableBytes());
        }
      } catch (IOException e) {
        throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
      } finally {
        c.release();
      }
      if (last) {
        finish(reusable());
        ByteArrayOutputStream out = buffer;
        complete(mode == Mode.BUFFER && out != null ? out.toByteArray() : null);
        return;
      }
    }
    setReading(true);
  }

  private void drainStream() {
    while (inSink == null && failure == null && !released) {
      HttpContent c = queue.poll();
      if (c == null) {
        setReading(!lastQueued);
        return;
      }
      boolean last = c instanceof LastHttpContent;
      ByteBuf b = c.content();
      if (!b.isReadable()) {
        c.release();
        if (last) {
          endStream();
          return;
        }
        continue;
      }
      int n = b.readableBytes();
      inSink = c;
      CompletionStage<Void> stage;
      try {
        stage = consumer.accept(b);
      } catch (RuntimeException e) {
        stage = CompletableFuture.failedFuture(e);
      }
      if (stage instanceof CompletableFuture<Void> f && f.isDone() && !f.isCompletedExceptionally()) {
        // the sink kept up: go on with the next chunk here, reading on, with no hop through the loop
        inSink = null;
        c.release();
        deliveredBytes += n;
        if (failure != null) {
          completeExceptionally(failure); // the connection failed while the sink wrote
          return;
        }
        if (last) {
          endStream();
          return;
        }
        continue;
      }
      setReading(false);
      stage.whenComplete((v, err) -> {
        try {
          channel.eventLoop().execute(() -> afterSink(c, n, last, err));
        } catch (RejectedExecutionException e) {
          c.release();
        }
      });
      return;
    }
  }

  private void afterSink(HttpContent c, int n, boolean last, @Nullable Throwable err) {
    inSink = null;
    c.release();
    if (err != null) {
      failure = failure != null ? failure : new TransportException(CANCELLED, "sink failed");
      finish(false);
      completeExceptionally(unwrap(err));
      return;
    }
    deliveredBytes += n;
    if (failure != null) {
      completeExceptionally(failure); // the connection failed while the sink wrote
    } else if (last) {
      endStream();
    } else {
      drainStream();
    }
  }

  private void endStream() {
    if (bodyLength >= 0 && receivedBytes != bodyLength) {
      fail(truncated());
      return;
    }
    finish(reusable());
    complete(deliveredBytes);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (failure == null && !released && !lastQueued) {
      if (response == null) {
        fail(closedBeforeResponse());
      } else if (bodyLength >= 0) {
        fail(truncated());
      } else {
        fail(new TransportException(RESET, "connection to " + origin + " closed mid-body after " + receivedBytes + " bytes"));
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (failure == null && !released && !lastQueued) {
      fail(classify(cause));
    } else {
      brokenAfterEnd = true; // the response is whole, but the connection is not fit to reuse
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseQueue();
  }

  private TransportException truncated() {
    return new TransportException(TRUNCATED,
        "upstream body from " + origin + " truncated: " + receivedBytes + " of " + bodyLength + " bytes");
  }

  private void tooLarge() {
    failure = new TransportException(CANCELLED, "body too large");
    finish(false);
    completeExceptionally(new BodyTooLargeException(
        "upstream body from " + origin + " is larger than " + cap + " bytes"));
  }

  private void fail(TransportException cause) {
    if (failure != null || released) {
      return;
    }
    failure = cause;
    finish(false);
    if (!head.isDone()) {
      head.completeExceptionally(cause);
    } else if (body != null && inSink == null) {
      completeExceptionally(cause);
    } // else: the body fails when it is taken (startBody) or when the sink's write returns
  }

  private TransportException classify(Throwable cause) {
    Throwable setup = response == null ? channel.attr(ConnectionPool.SETUP_FAILURE).get() : null;
    return TransportException.of(unwrap(setup != null ? setup : cause), origin, response == null && reused && !anyResponseByte);
  }

  private TransportException closedBeforeResponse() {
    Throwable setup = channel.attr(ConnectionPool.SETUP_FAILURE).get();
    if (setup != null) {
      return TransportException.of(unwrap(setup), origin, false);
    }
    return new TransportException(reused && !anyResponseByte ? STALE : RESET, "connection to " + origin + " closed before the response");
  }

  private boolean reusable() {
    return failure == null
        && !brokenAfterEnd
        && lastQueued
        && queue.isEmpty()
        && response != null
        && HttpUtil.isKeepAlive(response)
        && channel.isActive();
  }

  /** Hands the connection back (or closes it); the body's future completes after this. */
  private void finish(boolean reusable) {
    if (released) {
      return;
    }
    released = true;
    awaitingBytes = false;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    releaseQueue();
    ChannelPipeline p = channel.pipeline();
    if (p.context(this) != null) {
      p.remove(this);
    }
    if (reusable) {
      channel.attr(ConnectionPool.REUSED).set(Boolean.TRUE);
      channel.config().setAutoRead(true);
    } else {
      channel.close();
    }
    pool.release(origin, channel);
  }

  private void setReading(boolean on) {
    if (released) {
      return;
    }
    if (on && !awaitingBytes) {
      awaitingBytes = true;
      lastActivity = System.nanoTime();
      if (timer == null) {
        timer = channel.eventLoop().schedule(this::onTimer, readTimeoutNanos, TimeUnit.NANOSECONDS);
      }
    } else if (!on) {
      awaitingBytes = false;
    }
    if (channel.config().isAutoRead() != on) {
      channel.config().setAutoRead(on);
    }
  }

  private void onTimer() {
    timer = null;
    if (released || failure != null || !awaitingBytes) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (idle >= readTimeoutNanos) {
      fail(new TransportException(TIMEOUT, "no bytes from " + origin + " for " + TimeUnit.NANOSECONDS.toMillis(idle) + " ms"
          + (response == null ? " awaiting the response" : " mid-body after " + receivedBytes + " bytes")));
    } else {
      timer = channel.eventLoop().schedule(this::onTimer, readTimeoutNanos - idle, TimeUnit.NANOSECONDS);
    }
  }

  private void releaseQueue() {
    HttpContent c;
    while ((c = queue.poll()) != null) {
      c.release();
    }
  }

  @SuppressWarnings("unchecked")
  private void complete(@Nullable Object value) {
    CompletableFuture<Object> f = (CompletableFuture<Object>) body;
    if (f != null) {
      f.complete(value);
    }
  }

  private void completeExceptionally(Throwable t) {
    CompletableFuture<?> f = body;
    if (f != null) {
      f.completeExceptionally(t);
    }
  }

  private void onLoop(Runnable r, @Nullable CompletableFuture<?> f) {
    if (channel.eventLoop().inEventLoop()) {
      r.run();
      return;
    }
    try {
      channel.eventLoop().execute(r);
    } catch (RejectedExecutionException e) {
      if (f != null) {
        f.completeExceptionally(new TransportException(CANCELLED, "upstream client closed"));
      }
    }
  }

  private static long contentLength(HttpResponse r) {
    return HttpUtil.isTransferEncodingChunked(r) ? -1 : contentLength(r.headers());
  }

  /** The Content-Length, or -1 when absent or not a number. */
  static long contentLength(HttpHeaders h) {
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

  /** Throws any throwable from a lambda that may not declare it (a failure passed along as is). */
  static RuntimeException rethrow(Throwable t) {
    CallHandler.<RuntimeException>sneaky(t);
    throw new AssertionError("unreachable");
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneaky(Throwable t) throws E {
    throw (E) t;
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

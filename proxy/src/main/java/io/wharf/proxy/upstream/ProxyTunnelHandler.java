package io.wharf.proxy.upstream;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.PendingWriteQueue;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Opens an HTTP {@code CONNECT} tunnel through a proxy as soon as the connection is up, holding
 * back every write (the TLS ClientHello, the request) until the proxy answered 2xx, then removes
 * itself. What netty-handler-proxy's {@code HttpProxyHandler} does, in the few lines wharf needs.
 *
 * <p>Failure: a non-2xx answer, a close or the deadline fails the held writes and fires a {@link
 * TransportException} of kind CONNECT, then closes the connection.
 */
final class ProxyTunnelHandler extends ChannelDuplexHandler {
  static final String NAME = "proxy-tunnel";

  /** More than any proxy's CONNECT answer headers. */
  private static final int MAX_RESPONSE_HEAD = 16 * 1024;

  private final Origin target;
  private final @Nullable String proxyAuthorization;
  private final long timeoutMillis;
  private @Nullable PendingWriteQueue pending;
  private @Nullable ByteBuf received;
  private @Nullable ScheduledFuture<?> timeout;
  private boolean flushRequested;
  private State state = State.CONNECTING;

  private enum State { CONNECTING, OPEN, FAILED }

  ProxyTunnelHandler(Origin target, @Nullable String username, @Nullable String password, long timeoutMillis) {
    this.target = target;
    this.proxyAuthorization = username == null
        ? null
        : "Basic " + Base64.getEncoder().encodeToString((username + ":" + (password == null ? "" : password)).getBytes(UTF_8));
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    pending = new PendingWriteQueue(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    String authority = target.authority();
    StringBuilder req = new StringBuilder()
        .append("CONNECT ").append(authority).append(" HTTP/1.1\r\n")
        .append("Host: ").append(authority).append("\r\n");
    if (proxyAuthorization != null) {
      req.append("Proxy-Authorization: ").append(proxyAuthorization).append("\r\n");
    }
    req.append("\r\n");
    ctx.writeAndFlush(ByteBufUtil.encodeString(ctx.alloc(), java.nio.CharBuffer.wrap(req), ISO_8859_1));
    timeout = ctx.executor().schedule(
        () -> fail(ctx, "proxy did not open a tunnel to " + authority + " within " + timeoutMillis + " ms"),
        timeoutMillis, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
    if (!ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (state == State.OPEN) {
      ctx.write(msg, promise);
    } else if (state == State.CONNECTING && pending != null) {
      pending.add(msg, promise);
    } else {
      ReferenceCountUtil.release(msg);
      promise.setFailure(new TransportException(TransportException.Kind.CONNECT, "proxy tunnel closed"));
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (state == State.OPEN) {
      ctx.flush();
    } else {
      flushRequested = true;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.FAILED) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (state == State.OPEN || !(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (received == null) {
      received = ctx.alloc().buffer(256);
    }
    received.writeBytes(in);
    in.release();
    int end = ByteBufUtil.indexOf(CRLFCRLF, received);
    if (end < 0) {
      if (received.readableBytes() > MAX_RESPONSE_HEAD) {
        fail(ctx, "proxy answered CONNECT with more than " + MAX_RESPONSE_HEAD + " bytes of headers");
      } else if (!ctx.channel().config().isAutoRead()) {
        ctx.read();
      }
      return;
    }
    String head = received.toString(received.readerIndex(), end - received.readerIndex(), ISO_8859_1);
    received.readerIndex(end + CRLFCRLF.readableBytes());
    String statusLine = head.lines().findFirst().orElse("");
    String[] parts = statusLine.split(" ", 3);
    int status = parts.length >= 2 && parts[0].startsWith("HTTP/") ? parseStatus(parts[1]) : -1;
    if (status < 200 || status > 299) {
      String shown = statusLine.length() > 100 ? statusLine.substring(0, 100) : statusLine;
      fail(ctx, "proxy refused CONNECT " + target.authority() + ": " + (status == 407 ? "407 proxy authentication required" : shown));
      return;
    }
    established(ctx);
  }

  private static final ByteBuf CRLFCRLF =
      io.netty.buffer.Unpooled.unreleasableBuffer(io.netty.buffer.Unpooled.copiedBuffer("\r\n\r\n", ISO_8859_1));

  private void established(ChannelHandlerContext ctx) {
    state = State.OPEN;
    cancelTimeout();
    ByteBuf leftover = received;
    received = null;
    PendingWriteQueue queue = pending;
    pending = null;
    if (queue != null) {
      queue.removeAndWriteAll();
    }
    if (flushRequested) {
      ctx.flush();
    }
    ctx.pipeline().remove(this);
    if (leftover != null && leftover.isReadable()) {
      ctx.fireChannelRead(leftover);
      ctx.fireChannelReadComplete();
    } else if (leftover != null) {
      leftover.release();
    }
    if (!ctx.channel().config().isAutoRead()) {
      ctx.read(); // the layer above (TLS, or the response) waits for bytes the CONNECT answer used up
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (state == State.CONNECTING) {
      fail(ctx, "proxy closed the connection before the tunnel to " + target.authority() + " opened");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelTimeout();
    if (received != null) {
      received.release();
      received = null;
    }
    if (pending != null) {
      pending.removeAndFailAll(new TransportException(TransportException.Kind.CONNECT, "proxy tunnel closed"));
      pending = null;
    }
  }

  private void fail(ChannelHandlerContext ctx, String message) {
    if (state != State.CONNECTING) {
      return;
    }
    state = State.FAILED;
    cancelTimeout();
    TransportException cause = new TransportException(TransportException.Kind.CONNECT, message);
    ctx.channel().attr(ConnectionPool.SETUP_FAILURE).setIfAbsent(cause);
    if (pending != null) {
      pending.removeAndFailAll(cause);
      pending = null;
    }
    ctx.fireExceptionCaught(cause);
    ctx.close();
  }

  private void cancelTimeout() {
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
  }

  private static int parseStatus(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

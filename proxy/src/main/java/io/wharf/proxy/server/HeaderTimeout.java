package io.wharf.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.wharf.oci.ErrorBody;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.http.Responses;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cure for slowloris: a request's line and headers must all arrive within
 * {@code server.headerTimeout} of its first byte (of the connection's opening, for the first
 * request), or the request is answered 408 and the connection closed. The idle timeout alone does
 * not catch a client that sends a byte every few seconds; this does, however the bytes trickle.
 * A keep-alive connection waiting for its next request is the idle timeout's business, and so is a
 * body that trickles.
 *
 * <p>Two handlers share the state of one connection: {@link #bytes()} sits before the HTTP codec
 * and sees the first bytes of a request arrive, {@link #requests()} sits right after it and sees
 * the request's headers complete (and the end of its body, after which the next bytes are the next
 * request). It also counts responses: while a request is unanswered the server, not the client,
 * may be the slow one (a pipelined request waits for the answer before it), so the clock is then
 * only looked at again later and the connection never gets a 408 in the middle of a response.
 *
 * <p>A connection still in its TLS handshake at the deadline is closed without an answer (none
 * could reach it), and one whose 408 does not go out within {@link #CLOSE_GRACE_MILLIS} (a client
 * that reads nothing either) is closed anyway.
 *
 * <p>Implementation notes. Everything runs on the connection's event loop. A request whose first
 * bytes arrive in the same read as the end of the previous one starts its clock at the next read:
 * at most one read late, which a client trickling bytes cannot stretch.
 */
final class HeaderTimeout {
  private static final Logger log = LoggerFactory.getLogger(HeaderTimeout.class);

  private enum State {
    /** Between requests: waiting for the next one's first byte. */
    IDLE,
    /** Its first bytes came, its headers are not complete: the clock runs. */
    HEADERS,
    /** Headers complete, body (if any) arriving. */
    BODY
  }

  /** How long the 408 may take to go out before the connection is closed anyway. */
  static final long CLOSE_GRACE_MILLIS = 1_000;

  private final long timeoutNanos;
  private final ChannelHandler bytes = new Bytes();
  private final ChannelHandler requests = new Requests();
  private State state = State.IDLE;
  private @Nullable ScheduledFuture<?> timer;
  /** The context of {@link #requests()}: a 408 written there goes through the codec. */
  private @Nullable ChannelHandlerContext writer;
  /** Requests whose headers were read and whose response is not completely written. */
  private int unanswered;

  HeaderTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    this.timeoutNanos = timeout.toNanos();
  }

  /** The handler to add before the HTTP codec. */
  ChannelHandler bytes() {
    return bytes;
  }

  /** The handler to add right after the HTTP codec. */
  ChannelHandler requests() {
    return requests;
  }

  private void start(ChannelHandlerContext ctx) {
    stop();
    state = State.HEADERS;
    schedule(ctx);
  }

  private void schedule(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void stop() {
    ScheduledFuture<?> t = timer;
    timer = null;
    if (t != null) {
      t.cancel(false);
    }
  }

  private void expired() {
    timer = null;
    ChannelHandlerContext ctx = writer;
    if (state != State.HEADERS || ctx == null || !ctx.channel().isActive()) {
      return;
    }
    if (unanswered > 0) {
      schedule(ctx); // still answering an earlier request: look again later
      return;
    }
    log.atDebug()
        .addKeyValue("remote", ctx.channel().remoteAddress())
        .log("request headers not complete within the header timeout: answering 408 and closing");
    state = State.BODY; // nothing more is read
    ctx.channel().config().setAutoRead(false);
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls != null && !tls.handshakeFuture().isDone()) {
      ctx.close(); // still in the TLS handshake: no HTTP answer can reach it
      return;
    }
    OciException error = OciException.withStatus(
        OciError.UNSUPPORTED, 408, "request headers not received within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
    FullHttpResponse response = new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(ErrorBody.of(error)));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, "close")
        .set(Responses.API_VERSION, Responses.API_VERSION_VALUE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    // a client that reads nothing either may never let the answer out: it goes regardless
    ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Before the codec: the first bytes of a request, and the connection's opening. */
  private final class Bytes extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      if (ctx.channel().isActive()) {
        start(ctx); // the first request's clock runs from the connection's opening
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (state == State.IDLE) {
        start(ctx);
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (state == State.IDLE && msg instanceof ByteBuf buf && buf.isReadable()) {
        start(ctx);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stop();
      ctx.fireChannelInactive();
    }
  }

  /** After the codec: headers complete, body ends, responses complete. */
  private final class Requests extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      writer = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        stop();
        state = State.BODY;
        unanswered++;
      }
      if (msg instanceof LastHttpContent && state == State.BODY) {
        state = State.IDLE;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      boolean informational = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      if (msg instanceof LastHttpContent && !informational) {
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> unanswered--);
        ctx.write(msg, p);
        return;
      }
      ctx.write(msg, promise);
    }
  }
}

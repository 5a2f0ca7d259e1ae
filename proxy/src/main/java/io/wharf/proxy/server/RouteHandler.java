package io.wharf.proxy.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.BodyLimits;
import io.wharf.proxy.route.Route;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.LingeringClose;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each request of a connection: {@link Router} reads it, {@link Routes} answers it, and a
 * route that reads a body gets it piece by piece as the decoder produces it, never aggregated.
 *
 * <p>Implementation notes.
 *
 * <p>Threading: the handler sits on the event loop but hands every event to the connection's own
 * lane of {@link RouteThreads}, so routes run off the event loop and may block on the disk (upload
 * writes, fsync and the synced index batch of a commit) or wait on the upstream without stalling
 * other connections, and one connection's events still run one at a time, in order. Body pieces
 * queue up between the event loop and that lane; {@link UploadFlowControl} pauses socket reads
 * when too many are queued, and every piece is reported to it once dealt with. All fields are confined to the route thread.
 *
 * <p>Failure: an exception from the router, a route or a body consumer aborts the consumer and
 * goes to {@link ErrorResponder}; the rest of that request's body is read and dropped so the
 * connection stays usable. If the client was waiting for {@code 100 Continue} and never got it,
 * it will not send the body: the connection is closed after the error instead. A request the
 * decoder could not read closes the connection (the decoder drops everything after it).
 *
 * <p>Body caps ({@link BodyLimits}, by route): a request that declares a longer body than its
 * route takes is answered 413 before any of it is read, and the connection closed (no use
 * draining what the client announced). A body that goes past the cap as it arrives, read or
 * dropped, is answered 413 if nothing was answered yet, and the connection is closed once what
 * was answered is out; nothing more is read from it.
 */
final class RouteHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RouteHandler.class);

  private final Router router;
  private final Routes routes;
  private final UploadFlowControl flow;
  private final Executor executor;
  private final BodyLimits limits;

  private @Nullable Exchange exchange;
  private @Nullable BodyConsumer body;
  /** The current request failed or needs no body: drop its pieces until the last one. */
  private boolean discarding;
  /** The current request as routed; null before it is parsed or when it could not be. */
  private @Nullable Route route;
  /** Body bytes of the current request so far, read or dropped, and its cap. */
  private long bodyBytes;
  private long bodyCap = BodyLimits.NO_BODY;
  /** A body went past its cap: the connection is closing, and nothing more of it is read. */
  private boolean closing;

  /**
   * @param executor the lane this connection's requests run on, one at a time and in order
   * @param limits the body cap of each route
   */
  RouteHandler(Router router, Routes routes, UploadFlowControl flow, Executor executor, BodyLimits limits) {
    this.router = requireNonNull(router, "router");
    this.routes = requireNonNull(routes, "routes");
    this.flow = requireNonNull(flow, "flow");
    this.executor = requireNonNull(executor, "executor");
    this.limits = requireNonNull(limits, "limits");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      executor.execute(() -> read(ctx, msg));
    } catch (RejectedExecutionException e) {
      ReferenceCountUtil.release(msg); // shutting down
      ctx.close();
    }
  }

  private void read(ChannelHandlerContext ctx, Object msg) {
    long bytes = msg instanceof HttpContent c ? c.content().readableBytes() : 0;
    try {
      if (closing) {
        return; // the connection ends after what was answered; the rest is not looked at
      }
      if (msg instanceof HttpRequest request) {
        onRequest(ctx, request);
      }
      if (msg instanceof HttpContent content) {
        onContent(ctx, content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
      if (bytes > 0) {
        flow.consumed(bytes);
      }
    }
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
    abortBody();
    Exchange ex = new Exchange(ctx, request);
    exchange = ex;
    discarding = false;
    route = null;
    bodyBytes = 0;
    bodyCap = limits.maxBody(null);
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      ex.closeAfterResponse();
      fail(ex, badRequest(decoded.cause()));
      return;
    }
    try {
      Route parsed = router.parse(request.method(), request.uri());
      route = parsed;
      bodyCap = limits.maxBody(parsed);
      long declared = HttpUtil.getContentLength(request, -1L);
      if (declared > bodyCap) {
        ex.closeAfterResponse(); // the client announced more than is read: not worth draining
        throw limits.tooLarge(parsed, declared);
      }
      body = routes.dispatch(ex, parsed);
      if (body != null) {
        ex.sendContinue();
      } else {
        discarding = true;
      }
    } catch (Throwable t) {
      fail(ex, t);
    }
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    Exchange ex = exchange;
    if (ex == null) {
      return; // a piece after a request we already gave up on
    }
    if (content.decoderResult().isFailure()) {
      ex.closeAfterResponse();
      fail(ex, badRequest(content.decoderResult().cause()));
      return;
    }
    bodyBytes += content.content().readableBytes();
    if (bodyBytes > bodyCap) {
      overCap(ctx, ex);
      return;
    }
    BodyConsumer consumer = body;
    if (consumer != null && !discarding) {
      try {
        consumer.content(content.content());
      } catch (Throwable t) {
        fail(ex, t);
        consumer = null;
      }
    }
    if (!(content instanceof LastHttpContent)) {
      return;
    }
    exchange = null;
    body = null;
    if (consumer != null && !discarding) {
      try {
        consumer.end();
      } catch (Throwable t) {
        consumer.abort();
        fail(ex, t);
      }
    }
    if (!ex.responseFinished()) {
      fail(ex, new IllegalStateException("route did not answer " + ex.method() + " " + RedactedUri.of(ex.request().uri())));
    }
  }

  private void fail(Exchange ex, Throwable t) {
    abortBody();
    discarding = true;
    if (HttpUtil.is100ContinueExpected(ex.request()) && !ex.continueSent()) {
      ex.closeAfterResponse(); // the client holds its body back: it cannot be drained
    }
    if (ex.responseFinished()) {
      // a failure after a complete answer (a consumer's cleanup): nothing left to tell the client
      if (ErrorResponder.unwrap(t) == null) {
        log.atError().setCause(t).addKeyValue("uri", RedactedUri.of(ex.request().uri())).log("failure after the response was sent");
      }
      return;
    }
    ErrorResponder.respond(ex, t);
  }

  /** The body went past its cap: refused if nothing was answered yet; the connection ends. */
  private void overCap(ChannelHandlerContext ctx, Exchange ex) {
    closing = true;
    exchange = null;
    if (ex.responseFinished()) {
      // a request that takes no body, already answered: end once that answer is out
      abortBody();
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(LingeringClose.INSTANCE);
    } else {
      ex.closeAfterResponse();
      fail(ex, limits.tooLarge(route, bodyBytes));
    }
  }

  private void abortBody() {
    BodyConsumer b = body;
    body = null;
    if (b != null) {
      b.abort();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    runOnRouteThread(() -> {
      abortBody();
      exchange = null;
    });
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    runOnRouteThread(() -> caught(ctx, cause));
  }

  private void runOnRouteThread(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // shutting down: the route thread is gone, and whatever it held goes with the process
    }
  }

  private void caught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.atDebug().addKeyValue("remote", ctx.channel().remoteAddress()).log("connection error: " + cause.getMessage());
    } else {
      log.atWarn().setCause(cause).addKeyValue("remote", ctx.channel().remoteAddress()).log("unexpected pipeline error");
    }
    abortBody();
    ctx.close();
  }

  /** What a request the decoder refused gets: 414, 431 or 400. */
  private static OciException badRequest(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return OciException.withStatus(OciError.NAME_INVALID, 414, "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      // Netty's message or HeaderCountLimit's: a size or a count, never a header's content
      return OciException.withStatus(OciError.UNSUPPORTED, 431, "request headers too large: " + cause.getMessage());
    }
    return OciException.withStatus(OciError.UNSUPPORTED, 400, "malformed HTTP request");
  }
}

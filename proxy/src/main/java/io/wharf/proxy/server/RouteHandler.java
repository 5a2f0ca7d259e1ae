package io.wharf.proxy.server;

import static java.util.Objects.requireNonNull;

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
import io.netty.util.concurrent.EventExecutor;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.Route;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.route.http.Exchange;
import java.io.IOException;
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
 * <p>Threading: the handler sits on the event loop but hands every event to one single-threaded
 * executor of the route group, picked per connection, so routes run off the event loop and may
 * block on the disk (upload writes, fsync and the synced index batch of a commit) without
 * stalling other connections, and one connection's events still run one at a time, in order.
 * (Netty 4.2 deprecates adding a handler with its own executor group; this is the same thing
 * by hand.) Body pieces queue up between the event loop and that thread;
 * {@link UploadFlowControl} pauses socket reads when too many are queued, and every piece is
 * reported to it once dealt with. All fields are confined to the route thread.
 *
 * <p>Failure: an exception from the router, a route or a body consumer aborts the consumer and
 * goes to {@link ErrorResponder}; the rest of that request's body is read and dropped so the
 * connection stays usable. If the client was waiting for {@code 100 Continue} and never got it,
 * it will not send the body: the connection is closed after the error instead. A request the
 * decoder could not read closes the connection (the decoder drops everything after it).
 */
final class RouteHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RouteHandler.class);

  private final Router router;
  private final Routes routes;
  private final UploadFlowControl flow;
  private final EventExecutor executor;

  private @Nullable Exchange exchange;
  private @Nullable BodyConsumer body;
  /** The current request failed or needs no body: drop its pieces until the last one. */
  private boolean discarding;

  /**
   * @param executor the single thread this connection's requests run on
   */
  RouteHandler(Router router, Routes routes, UploadFlowControl flow, EventExecutor executor) {
    this.router = requireNonNull(router, "router");
    this.routes = requireNonNull(routes, "routes");
    this.flow = requireNonNull(flow, "flow");
    this.executor = requireNonNull(executor, "executor");
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
      if (msg instanceof HttpRequest request) {
        onRequest(ctx, request);
      }
      if (msg instanceof HttpContent content) {
        onContent(content);
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
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      ex.closeAfterResponse();
      fail(ex, badRequest(decoded.cause()));
      return;
    }
    try {
      Route route = router.parse(request.method(), request.uri());
      body = routes.dispatch(ex, route);
      if (body != null) {
        ex.sendContinue();
      } else {
        discarding = true;
      }
    } catch (Throwable t) {
      fail(ex, t);
    }
  }

  private void onContent(HttpContent content) {
    Exchange ex = exchange;
    if (ex == null) {
      return; // a piece after a request we already gave up on
    }
    if (content.decoderResult().isFailure()) {
      ex.closeAfterResponse();
      fail(ex, badRequest(content.decoderResult().cause()));
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
      fail(ex, new IllegalStateException("route did not answer " + ex.method() + " " + ex.request().uri()));
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
        log.atError().setCause(t).addKeyValue("uri", ex.request().uri()).log("failure after the response was sent");
      }
      return;
    }
    ErrorResponder.respond(ex, t);
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
      return OciException.withStatus(OciError.UNSUPPORTED, 431, "request headers too large");
    }
    return OciException.withStatus(OciError.UNSUPPORTED, 400, "malformed HTTP request");
  }
}

package io.wharf.bench.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight. The next request may be
 * sent once the previous response's future has completed (typically from its callback). A closed
 * connection is reopened on the next send; a request that fails on a reused connection before any
 * response byte (the server closed it while idle) is retried once on a fresh one.
 */
public final class Connection implements AutoCloseable {

  static final String HANDLER_NAME = "bench-exchange";
  /** The start of an error body kept for error messages, whatever the request asked. */
  private static final int ERROR_BODY_KEPT = 512;

  private final BenchHttpClient client;
  private final InetSocketAddress address;
  private final String hostHeader;
  private final boolean overTls;
  private volatile @Nullable Channel channel;
  private volatile boolean closed;

  Connection(BenchHttpClient client, InetSocketAddress address, String hostHeader, boolean overTls) {
    this.client = client;
    this.address = address;
    this.hostHeader = hostHeader;
    this.overTls = overTls;
  }

  void connectNow() throws IOException {
    ChannelFuture f = client.openChannel(address, overTls);
    long waitMillis = BenchHttpClient.connectTimeout().toMillis() + 1000;
    if (!f.awaitUninterruptibly(waitMillis, TimeUnit.MILLISECONDS) || !f.isSuccess()) {
      f.channel().close();
      Throwable cause = f.cause();
      throw new IOException("cannot connect to " + hostHeader + (cause == null ? "" : ": " + cause), cause);
    }
    channel = f.channel();
  }

  /** Sends {@code request}; the future fails with an IOException on a transport error or timeout. */
  public CompletableFuture<Response> send(Request request) {
    var promise = new CompletableFuture<Response>();
    if (closed) {
      promise.completeExceptionally(new IOException("connection closed by the client"));
      return promise;
    }
    Channel ch = channel;
    if (ch != null && ch.isActive()) {
      dispatch(ch, request, promise, true);
    } else {
      reconnectAndDispatch(request, promise);
    }
    return promise;
  }

  /** {@link #send} and wait, for setup work outside measurements. */
  public Response sendSync(Request request, Duration timeout) throws IOException {
    CompletableFuture<Response> f = send(request);
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(request + ": " + cause, cause);
    } catch (TimeoutException e) {
      close();
      throw new IOException(request + ": no response within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException(request + ": interrupted", e);
    }
  }

  private void reconnectAndDispatch(Request request, CompletableFuture<Response> promise) {
    client.openChannel(address, overTls).addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        promise.completeExceptionally(new IOException("cannot connect to " + hostHeader + ": " + f.cause(),
            f.cause()));
        return;
      }
      channel = f.channel();
      if (closed) {
        f.channel().close();
        promise.completeExceptionally(new IOException("connection closed by the client"));
        return;
      }
      dispatch(f.channel(), request, promise, false);
    });
  }

  private void dispatch(Channel ch, Request request, CompletableFuture<Response> promise, boolean reused) {
    if (!ch.eventLoop().inEventLoop()) {
      ch.eventLoop().execute(() -> dispatch(ch, request, promise, reused));
      return;
    }
    ExchangeHandler handler = (ExchangeHandler) ch.pipeline().get(HANDLER_NAME);
    var ex = new Exchange(this, request, promise, reused);
    if (handler == null || !ch.isActive()) {
      ex.failed(ch, new IOException("connection closed before the request was sent"));
      return;
    }
    if (handler.current != null) {
      promise.completeExceptionally(new IllegalStateException("a request is already in flight: "
          + handler.current.request));
      return;
    }
    handler.current = ex;
    ex.start = System.nanoTime();
    writeRequest(ch, handler, ex);
  }

  private void writeRequest(Channel ch, ExchangeHandler handler, Exchange ex) {
    Request r = ex.request;
    Body body = r.body();
    HttpRequest req;
    if (body instanceof Body.Stream) {
      req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, r.method(), r.target());
    } else {
      ByteBuf content = body instanceof Body.Bytes b ? Unpooled.wrappedBuffer(b.bytes()) : Unpooled.EMPTY_BUFFER;
      req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, r.method(), r.target(), content);
    }
    HttpHeaders h = req.headers();
    h.set(HttpHeaderNames.HOST, hostHeader);
    h.set(HttpHeaderNames.USER_AGENT, r.userAgent());
    if (body != null) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, body.length());
    } else if (r.method() == HttpMethod.POST || r.method() == HttpMethod.PUT || r.method() == HttpMethod.PATCH) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    for (Map.Entry<String, String> e : r.headers()) {
      h.set(e.getKey(), e.getValue());
    }
    ChannelFuture last;
    if (body instanceof Body.Stream s) {
      ch.write(req);
      last = ch.writeAndFlush(new HttpChunkedInput(s.open()));
    } else {
      last = ch.writeAndFlush(req);
    }
    last.addListener((ChannelFuture f) -> {
      ex.writeDone = true;
      if (!f.isSuccess() && handler.current == ex) {
        handler.current = null;
        ex.failed(ch, f.cause());
      }
    });
  }

  @Override
  public void close() {
    closed = true;
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }

  /** One request in flight and what has arrived of its response so far. */
  private static final class Exchange {
    final Connection connection;
    final Request request;
    final CompletableFuture<Response> promise;
    final boolean reused;
    long start;
    long firstByte;
    int status;
    HttpHeaders headers = EmptyHttpHeaders.INSTANCE;
    long bytes;
    boolean started;
    boolean keepAlive = true;
    volatile boolean writeDone;
    @Nullable MessageDigest sha;
    @Nullable ByteArrayOutputStream kept;
    int keepLimit;

    Exchange(Connection connection, Request request, CompletableFuture<Response> promise, boolean reused) {
      this.connection = connection;
      this.request = request;
      this.promise = promise;
      this.reused = reused;
    }

    void head(HttpResponse r) {
      firstByte = System.nanoTime();
      started = true;
      status = r.status().code();
      headers = r.headers();
      keepAlive = HttpUtil.isKeepAlive(r);
      keepLimit = status >= 400 ? Math.max(request.keepBody(), ERROR_BODY_KEPT) : request.keepBody();
      if (keepLimit > 0) {
        kept = new ByteArrayOutputStream(Math.min(keepLimit, 16 * 1024));
      }
      if (request.sha256()) {
        try {
          sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("every JDK has SHA-256", e);
        }
      }
    }

    void content(ByteBuf buf) {
      int n = buf.readableBytes();
      if (n == 0) {
        return;
      }
      bytes += n;
      MessageDigest md = sha;
      if (md != null) {
        if (buf.hasArray()) {
          md.update(buf.array(), buf.arrayOffset() + buf.readerIndex(), n);
        } else {
          for (ByteBuffer bb : buf.nioBuffers(buf.readerIndex(), n)) {
            md.update(bb);
          }
        }
      }
      ByteArrayOutputStream k = kept;
      if (k != null && k.size() < keepLimit) {
        int take = Math.min(n, keepLimit - k.size());
        byte[] part = new byte[take];
        buf.getBytes(buf.readerIndex(), part);
        k.write(part, 0, take);
      }
    }

    Response response() {
      MessageDigest md = sha;
      ByteArrayOutputStream k = kept;
      return new Response(status, headers, bytes, start, firstByte, System.nanoTime(),
          md == null ? null : "sha256:" + HexFormat.of().formatHex(md.digest()),
          k == null ? new byte[0] : k.toByteArray());
    }

    /** Retries once on a fresh connection if nothing of the response arrived, else fails. */
    void failed(Channel ch, Throwable cause) {
      failed(ch, cause, true);
    }

    void failed(Channel ch, Throwable cause, boolean mayRetry) {
      ch.close();
      if (mayRetry && !started && reused && request.replayable() && !connection.closed) {
        connection.reconnectAndDispatch(request, promise);
        return;
      }
      String detail = started ? " after " + bytes + " body bytes of HTTP " + status : "";
      promise.completeExceptionally(cause instanceof IOException io && detail.isEmpty() ? io
          : new IOException(request + ": " + cause.getMessage() + detail, cause));
    }
  }

  /** The pipeline's last handler: feeds the response of the exchange in flight. */
  static final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    @Nullable Exchange current;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        Exchange ex = current;
        if (ex == null) {
          return; // nothing asked: a stray byte after a response; the codec reports real garbage
        }
        if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
          current = null;
          ex.failed(ctx.channel(), new IOException("bad HTTP response: " + o.decoderResult().cause(),
              o.decoderResult().cause()));
          return;
        }
        if (msg instanceof HttpResponse r) {
          ex.head(r);
        }
        if (msg instanceof HttpContent c) {
          ex.content(c.content());
          if (msg instanceof LastHttpContent) {
            current = null;
            Response response = ex.response();
            // an unfinished request body (the server answered early) leaves the stream unusable
            if (!ex.keepAlive || !ex.writeDone) {
              ctx.channel().close();
            }
            ex.promise.complete(response);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Exchange ex = current;
      if (ex != null) {
        current = null;
        ex.failed(ctx.channel(), new IOException("connection closed by the server"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Exchange ex = current;
      current = null;
      if (ex != null) {
        ex.failed(ctx.channel(), cause);
      } else {
        ctx.close();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && current != null) {
        Exchange ex = current;
        current = null;
        // not retried: a silent server is a result, not a stale connection
        ex.failed(ctx.channel(), new IOException("no response bytes for the read timeout"), false);
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}

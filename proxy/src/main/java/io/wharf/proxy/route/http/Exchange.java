package io.wharf.proxy.route.http;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.GrowingBlob;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One request and the connection it answers on: what a route reads (method, headers) and the only
 * way it writes (a complete response, or headers plus a file body).
 *
 * <p>Every response gets {@code Docker-Distribution-API-Version} and correct HTTP/1.1 framing: a
 * {@code Content-Length} (HEAD included, with no body), and {@code Connection: close} followed by
 * a close when the request did not ask to keep the connection or {@link #closeAfterResponse} was
 * called.
 *
 * <p>Not thread-safe: used by the thread that runs the request's route.
 */
public final class Exchange {
  private final ChannelHandlerContext ctx;
  private final HttpRequest request;
  private final boolean head;
  private final HttpHeaders errorHeaders = Responses.headers();
  private boolean keepAlive;
  private boolean started;
  private boolean finished;
  private boolean continueSent;

  public Exchange(ChannelHandlerContext ctx, HttpRequest request) {
    this.ctx = requireNonNull(ctx, "ctx");
    this.request = requireNonNull(request, "request");
    this.head = HttpMethod.HEAD.equals(request.method());
    this.keepAlive = HttpUtil.isKeepAlive(request);
  }

  public HttpRequest request() {
    return request;
  }

  public HttpMethod method() {
    return request.method();
  }

  /** The address of the peer that sent the request (an {@code InetSocketAddress} on TCP). */
  public SocketAddress remoteAddress() {
    return ctx.channel().remoteAddress();
  }

  /** The local address the request came in on (for a URL when the request has no usable Host). */
  public SocketAddress localAddress() {
    return ctx.channel().localAddress();
  }

  /** Whether the connection is TLS (the HTTPS listener puts an {@link SslHandler} in the pipeline). */
  public boolean isSecure() {
    return ctx.pipeline().get(SslHandler.class) != null;
  }

  /** Whether the response must carry headers only. */
  public boolean isHead() {
    return head;
  }

  /** The first value of a request header, or null. */
  public @Nullable String header(CharSequence name) {
    return request.headers().get(name);
  }

  /** Every value of a request header, in order (a client may send {@code Accept} several times). */
  public List<String> headers(CharSequence name) {
    return request.headers().getAll(name);
  }

  /**
   * Headers that an error response for this request carries too: a route sets them before the
   * call that may fail ({@code Content-Range: bytes *}{@code /size} of a 416, the upload's
   * {@code Location} and {@code Range}).
   */
  public HttpHeaders errorHeaders() {
    return errorHeaders;
  }

  /** Whether response headers have gone out: an error can then only close the connection. */
  public boolean responseStarted() {
    return started;
  }

  /** Whether the whole response has been written. */
  public boolean responseFinished() {
    return finished;
  }

  /** Whether the connection stays open after this response. */
  public boolean keepAlive() {
    return keepAlive;
  }

  /** Closes the connection after the response (the request body will not be read). */
  public void closeAfterResponse() {
    keepAlive = false;
  }

  /** Sends {@code 100 Continue}: the route will read the body the client is holding back. */
  public void sendContinue() {
    if (!started && !continueSent && HttpUtil.is100ContinueExpected(request)) {
      continueSent = true;
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  /** Whether {@code 100 Continue} went out, so the client is sending its body. */
  public boolean continueSent() {
    return continueSent;
  }

  /** Sends a response with no body. */
  public void send(HttpResponseStatus status, HttpHeaders headers) {
    send(status, headers, Unpooled.EMPTY_BUFFER);
  }

  /**
   * Sends a complete response; {@code Content-Length} is the body's length unless the headers
   * already say otherwise (a HEAD answers the length of the body it does not send). Takes
   * ownership of {@code body}.
   */
  public void send(HttpResponseStatus status, HttpHeaders headers, ByteBuf body) {
    if (started) {
      body.release();
      throw new IllegalStateException("response already started");
    }
    if (status.code() == 204 || status.code() == 304) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH); // RFC 9110 8.6: never on a 204; a 304 has no body
    } else if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    }
    ByteBuf content = body;
    if (head) {
      body.release();
      content = Unpooled.EMPTY_BUFFER;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(headers);
    prepare(response);
    started = true;
    finished = true;
    closeIfDone(ctx.writeAndFlush(response));
  }

  /**
   * Sends headers and then {@code count} bytes of the file at {@code path} from {@code position},
   * zero-copy where the connection allows it. A HEAD sends the headers only and never opens the
   * file.
   *
   * @throws OciException BLOB_UNKNOWN when the file is gone (deleted since it was looked up)
   * @throws UncheckedIOException when it cannot be opened
   */
  public void sendFile(HttpResponseStatus status, HttpHeaders headers, Path path, long position, long count) {
    if (started) {
      throw new IllegalStateException("response already started");
    }
    headers.set(HttpHeaderNames.CONTENT_LENGTH, count);
    if (head || count == 0) {
      send(status, headers);
      return;
    }
    FileChannel file;
    try {
      file = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new OciException(OciError.BLOB_UNKNOWN, "blob unknown to registry");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Object body;
    try {
      body = Responses.fileBody(ctx, file, position, count);
    } catch (RuntimeException e) {
      closeQuietly(file);
      throw e;
    }
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    response.headers().set(headers);
    prepare(response);
    started = true;
    ctx.write(response);
    ChannelFuture done;
    if (body instanceof HttpChunkedInput) {
      done = ctx.writeAndFlush(body); // emits its own LastHttpContent
    } else {
      ctx.write(body); // the region owns the file and closes it once written or discarded
      done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    finished = true;
    closeIfDone(done);
  }

  /**
   * Sends {@code count} bytes from {@code position} of a blob still being fetched, following it as
   * it grows ({@link GrowingBlobSender}: from memory ahead of the disk, from its temp file behind).
   * The connection closes after this response: the follower writes from the event loop after this
   * call returns, so a pipelined next response must not interleave with it.
   */
  public void sendGrowingFile(HttpResponseStatus status, HttpHeaders headers, GrowingBlob blob, long position, long count) {
    if (started) {
      throw new IllegalStateException("response already started");
    }
    keepAlive = false;
    headers.set(HttpHeaderNames.CONTENT_LENGTH, count);
    if (head || count == 0) {
      send(status, headers);
      return;
    }
    FileChannel file;
    try {
      file = FileChannel.open(blob.file(), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      // committed (renamed) between the lookup and now: serve the committed file
      BlobContent committed = blob.done().join();
      keepAlive = HttpUtil.isKeepAlive(request);
      sendFile(status, headers, committed.path(), position, count);
      return;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    response.headers().set(headers);
    prepare(response);
    started = true;
    finished = true;
    ctx.writeAndFlush(response);
    GrowingBlobSender sender = new GrowingBlobSender(ctx, blob, file, position, count);
    ctx.executor().execute(sender::pump);
  }

  /**
   * Sends headers and then a body of chunks written later, from any thread, by the returned
   * stream (a long task's progress events). The connection closes after it, as after a growing
   * file: the stream writes after this call returns, so a pipelined next response must not
   * interleave with it.
   */
  public Stream startStream(HttpResponseStatus status, HttpHeaders headers) {
    if (started) {
      throw new IllegalStateException("response already started");
    }
    keepAlive = false;
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    response.headers().set(headers);
    response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    HttpUtil.setTransferEncodingChunked(response, true);
    prepare(response);
    started = true;
    finished = true;
    ctx.writeAndFlush(response);
    return new Stream(ctx);
  }

  /** The body of a response started by {@link #startStream}; thread-safe. */
  public static final class Stream {
    private final ChannelHandlerContext ctx;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Stream(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    /** Whether the client is still connected. */
    public boolean isOpen() {
      return ctx.channel().isActive() && !ended.get();
    }

    /** Writes one chunk and flushes it; takes ownership of {@code chunk}. */
    public ChannelFuture write(ByteBuf chunk) {
      if (ended.get()) {
        chunk.release();
        return ctx.newFailedFuture(new IllegalStateException("stream ended"));
      }
      return ctx.writeAndFlush(new DefaultHttpContent(chunk));
    }

    /** Ends the body and closes the connection; later calls do nothing. */
    public void end() {
      if (ended.compareAndSet(false, true)) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** Drops the connection: used when a response already started and cannot be completed. */
  public void abort() {
    keepAlive = false;
    finished = true;
    ctx.close();
  }

  private void prepare(HttpResponse response) {
    response.headers().set(Responses.API_VERSION, Responses.API_VERSION_VALUE);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, "close");
    } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
    }
  }

  private void closeIfDone(ChannelFuture future) {
    if (!keepAlive) {
      future.addListener(LingeringClose.INSTANCE);
    } else {
      future.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
  }

  private static void closeQuietly(FileChannel file) {
    try {
      file.close();
    } catch (IOException ignored) {
      // nothing was read from it; the descriptor is gone either way
    }
  }
}

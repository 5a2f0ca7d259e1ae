package io.wharf.proxy.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.wharf.proxy.metrics.RouteLabel;
import io.wharf.proxy.metrics.WharfMetrics;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per request to the {@code wharf.access} logger once its response is fully
 * written: time, remote, method, uri, status, bytes, duration_ms, user_agent.
 *
 * <p>A client that disconnects before its response is complete (or before one is sent) is logged
 * with status 499, as nginx does, and the bytes actually sent. Requests are answered in order on
 * an HTTP/1.1 connection, so responses are matched to requests first in, first out. Each request
 * is also counted in {@link WharfMetrics#requestServed} by its {@link RouteLabel} and that status,
 * whatever the access log's level.
 *
 * <p>Runs on the event loop; one instance per connection.
 */
final class AccessLogHandler extends ChannelDuplexHandler {
  static final String LOGGER = "wharf.access";
  /** nginx's "client closed request". */
  static final int CLIENT_CLOSED = 499;

  private static final Logger access = LoggerFactory.getLogger(LOGGER);
  private static final JsonFactory JSON = new JsonFactory();

  private final ArrayDeque<Entry> awaiting = new ArrayDeque<>();
  private final @Nullable WharfMetrics metrics;

  AccessLogHandler() {
    this(null);
  }

  /** @param metrics where requests are counted; null counts nothing */
  AccessLogHandler(@Nullable WharfMetrics metrics) {
    this.metrics = metrics;
  }

  /** One request, from its arrival to its response's last byte. */
  private static final class Entry {
    final Instant time = Instant.now();
    final long start = System.nanoTime();
    final String method;
    final String uri;
    final @Nullable String userAgent;
    int status;
    long bytes;
    @Nullable FileRegion region;
    boolean logged;

    Entry(HttpRequest request) {
      this.method = request.method().name();
      this.uri = RedactedUri.of(request.uri());
      this.userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
    }

    long bytesSent() {
      // a region that failed half-way has sent only what it transferred
      return region == null ? bytes : bytes - region.count() + region.transferred();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      awaiting.add(new Entry(request));
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    Entry entry = awaiting.peek();
    if (entry == null) {
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ctx.write(msg, promise); // 100 Continue is not the answer
        return;
      }
      entry.status = response.status().code();
    }
    if (msg instanceof ByteBufHolder holder) {
      entry.bytes += holder.content().readableBytes();
    } else if (msg instanceof ByteBuf buf) {
      entry.bytes += buf.readableBytes();
    } else if (msg instanceof FileRegion region) {
      entry.bytes += region.count();
      entry.region = region;
    }
    if (msg instanceof LastHttpContent && entry.status != 0) {
      awaiting.poll();
      ChannelPromise p = promise.unvoid();
      SocketAddress remote = ctx.channel().remoteAddress();
      p.addListener(f -> log(entry, remote, f.isSuccess() ? entry.status : CLIENT_CLOSED));
      ctx.write(msg, p);
      return;
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    SocketAddress remote = ctx.channel().remoteAddress();
    for (Entry e : awaiting) {
      log(e, remote, CLIENT_CLOSED);
    }
    awaiting.clear();
    ctx.fireChannelInactive();
  }

  private void log(Entry e, @Nullable SocketAddress remote, int status) {
    if (e.logged) {
      return;
    }
    e.logged = true;
    if (metrics != null) {
      metrics.requestServed(RouteLabel.of(e.uri), status);
    }
    if (access.isInfoEnabled()) {
      access.info(line(e, remote, status));
    }
  }

  private static String line(Entry e, @Nullable SocketAddress remote, int status) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("time", e.time.toString());
      g.writeStringField("remote", remote(remote));
      g.writeStringField("method", e.method);
      g.writeStringField("uri", e.uri);
      g.writeNumberField("status", status);
      g.writeNumberField("bytes", e.bytesSent());
      g.writeNumberField("duration_ms", Math.round((System.nanoTime() - e.start) / 1_000.0) / 1_000.0);
      if (e.userAgent != null) {
        g.writeStringField("user_agent", e.userAgent);
      }
      g.writeEndObject();
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return out.toString();
  }

  private static String remote(@Nullable SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }
}

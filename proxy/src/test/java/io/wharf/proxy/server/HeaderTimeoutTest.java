package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** The header timeout on an embedded channel, with time moved by hand. */
final class HeaderTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void answers408WhenTheHeadersAreNotCompleteInTime() {
    EmbeddedChannel channel = pipeline();
    send(channel, "GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: a");

    advance(channel, TIMEOUT.toMillis() - 1_000);
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.inboundMessages()).isEmpty();
    advance(channel, 2_000);

    String out = outbound(channel);
    assertThat(out).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close").contains("UNSUPPORTED");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void countsTheFirstRequestFromTheConnectionsOpening() {
    EmbeddedChannel channel = pipeline();

    advance(channel, TIMEOUT.toMillis() + 1_000);

    assertThat(outbound(channel)).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void leavesAConnectionBetweenRequestsAlone() {
    EmbeddedChannel channel = pipeline();
    send(channel, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
    answer(channel);

    advance(channel, 3 * TIMEOUT.toMillis());

    assertThat(channel.isOpen()).isTrue();
    assertThat(outbound(channel)).startsWith("HTTP/1.1 200"); // the answer, and nothing else
    channel.finishAndReleaseAll();
  }

  @Test
  void givesTheNextRequestItsOwnClockFromItsFirstByte() {
    EmbeddedChannel channel = pipeline();
    send(channel, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
    answer(channel);
    advance(channel, 3 * TIMEOUT.toMillis());
    outbound(channel);

    send(channel, "GET /v2/ HT");
    advance(channel, TIMEOUT.toMillis() - 1_000);
    assertThat(channel.isOpen()).isTrue();
    advance(channel, 2_000);

    assertThat(outbound(channel)).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void neverAnswersInTheMiddleOfAnEarlierResponse() {
    EmbeddedChannel channel = pipeline();
    // the first request is still being answered when the next one's first bytes come
    send(channel, "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
    send(channel, "GET /v2/ HT");

    advance(channel, 3 * TIMEOUT.toMillis());
    assertThat(channel.isOpen()).isTrue();
    assertThat(outbound(channel)).isEmpty();

    answer(channel);
    advance(channel, TIMEOUT.toMillis() + 1_000);
    assertThat(outbound(channel)).startsWith("HTTP/1.1 200").contains("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void closesWithoutAnAnswerInATlsHandshake() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();
    engine.setUseClientMode(false);
    HeaderTimeout timeout = new HeaderTimeout(TIMEOUT);
    EmbeddedChannel channel = new EmbeddedChannel(
        new SslHandler(engine), timeout.bytes(), new HttpServerCodec(), timeout.requests());

    advance(channel, TIMEOUT.toMillis() + 1_000);

    assertThat(channel.isOpen()).isFalse();
    channel.finishAndReleaseAll();
  }

  private static EmbeddedChannel pipeline() {
    HeaderTimeout timeout = new HeaderTimeout(TIMEOUT);
    return new EmbeddedChannel(timeout.bytes(), new HttpServerCodec(), timeout.requests());
  }

  private static void send(EmbeddedChannel channel, String raw) {
    channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    for (Object msg; (msg = channel.readInbound()) != null; ) {
      ReferenceCountUtil.release(msg); // what a route would read
    }
  }

  private static void answer(EmbeddedChannel channel) {
    DefaultFullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    ok.headers().setInt("content-length", 0);
    channel.writeOutbound(ok);
  }

  private static void advance(EmbeddedChannel channel, long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    channel.runPendingTasks();
  }

  private static String outbound(EmbeddedChannel channel) {
    StringBuilder b = new StringBuilder();
    for (Object msg; (msg = channel.readOutbound()) != null; ) {
      if (msg instanceof ByteBuf buf) {
        b.append(buf.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(msg);
    }
    return b.toString();
  }
}

package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.http.Exchange;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ErrorResponderTest {
  private EmbeddedChannel channel;

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  @Test
  void rendersAnOciExceptionAsItsStatusAndBody() {
    FullHttpResponse r = respond(HttpMethod.GET, (ex, ctx) ->
        ErrorResponder.respond(ex, new OciException(OciError.BLOB_UNKNOWN, "blob unknown to registry")));

    assertThat(r.status().code()).isEqualTo(404);
    assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.headers().get("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
    assertThat(body(r)).isEqualTo("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}");
    assertThat(r.headers().getInt("Content-Length")).isEqualTo(body(r).length());
    r.release();
  }

  @Test
  void hidesABugBehindA500WithNoDetail() {
    FullHttpResponse r = respond(HttpMethod.GET, (ex, ctx) ->
        ErrorResponder.respond(ex, new IllegalStateException("secret /var/lib/wharf/index detail")));

    assertThat(r.status().code()).isEqualTo(500);
    assertThat(body(r)).contains("\"UNKNOWN\"").doesNotContain("secret", "Exception", "at io.");
    r.release();
  }

  @Test
  void answersAHeadWithTheStatusAndNoBody() {
    FullHttpResponse r = respond(HttpMethod.HEAD, (ex, ctx) ->
        ErrorResponder.respond(ex, new OciException(OciError.MANIFEST_UNKNOWN, "manifest unknown")));

    assertThat(r.status().code()).isEqualTo(404);
    assertThat(r.content().readableBytes()).isZero();
    assertThat(r.headers().getInt("Content-Length")).isPositive();
    r.release();
  }

  @Test
  void unwrapsAFailedFuture() {
    FullHttpResponse r = respond(HttpMethod.GET, (ex, ctx) ->
        ErrorResponder.respond(ex, new CompletionException(new OciException(OciError.UNAVAILABLE, "disk full"))));

    assertThat(r.status().code()).isEqualTo(503);
    r.release();
  }

  @Test
  void carriesTheHeadersTheRouteAskedFor() {
    FullHttpResponse r = respond(HttpMethod.GET, (ex, ctx) -> {
      ex.errorHeaders().set("Content-Range", "bytes */10");
      ErrorResponder.respond(ex, new OciException(OciError.RANGE_INVALID, "range"));
    });

    assertThat(r.status().code()).isEqualTo(416);
    assertThat(r.headers().get("Content-Range")).isEqualTo("bytes */10");
    r.release();
  }

  @Test
  void closesTheConnectionWhenTheResponseAlreadyStarted() {
    channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange ex = new Exchange(ctx, (HttpRequest) msg);
        ex.send(io.netty.handler.codec.http.HttpResponseStatus.OK, io.wharf.proxy.route.http.Responses.headers());
        ErrorResponder.respond(ex, new IllegalStateException("late"));
        ReferenceCountUtil.release(msg);
      }
    });

    channel.writeInbound(request(HttpMethod.GET));

    FullHttpResponse first = channel.readOutbound();
    assertThat(first.status().code()).isEqualTo(200);
    first.release();
    Object next = channel.readOutbound();
    assertThat(next).isNull();
    assertThat(channel.isOpen()).isFalse();
  }

  private FullHttpResponse respond(HttpMethod method, BiConsumer<Exchange, ChannelHandlerContext> action) {
    channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        action.accept(new Exchange(ctx, (HttpRequest) msg), ctx);
        ReferenceCountUtil.release(msg);
      }
    });
    channel.writeInbound(request(method));
    return channel.readOutbound();
  }

  private static HttpRequest request(HttpMethod method) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/v2/x/manifests/y");
  }

  private static String body(FullHttpResponse r) {
    return r.content().toString(StandardCharsets.UTF_8);
  }
}

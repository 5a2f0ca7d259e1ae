package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

final class UploadFlowControlTest {
  @Test
  void pausesReadsPastTheHighWatermarkAndResumesBelowTheLowOne() {
    UploadFlowControl flow = new UploadFlowControl(1000, 100);
    EmbeddedChannel channel = new EmbeddedChannel(flow);

    channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[600])));
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[600])));
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(flow.queued()).isEqualTo(1200);

    flow.consumed(600);
    assertThat(channel.config().isAutoRead()).isFalse(); // 600 queued: above the low watermark
    flow.consumed(550);
    channel.runPendingTasks();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(flow.queued()).isEqualTo(50);

    channel.finishAndReleaseAll();
  }

  @Test
  void passesEveryMessageOn() {
    EmbeddedChannel channel = new EmbeddedChannel(new UploadFlowControl(1000, 100));

    channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[10])), "other");

    assertThat(channel.inboundMessages()).hasSize(2);
    channel.finishAndReleaseAll();
  }

  @Test
  void pausesReadsWhileTooManyPipelinedRequestsAreUnanswered() {
    UploadFlowControl flow = new UploadFlowControl(1000, 100);
    EmbeddedChannel channel = new EmbeddedChannel(new FlowControlHandler(), flow);

    for (int i = 0; i < 20; i++) {
      channel.writeInbound(request());
    }

    // the requests past the limit wait, decoded, in the FlowControlHandler
    assertThat(channel.inboundMessages()).hasSize(UploadFlowControl.MAX_UNANSWERED + 1);
    assertThat(channel.config().isAutoRead()).isFalse();

    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    assertThat(channel.config().isAutoRead()).as("a 100 Continue answers nothing").isFalse();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    // one answered, one more let in, and reads paused again
    assertThat(channel.inboundMessages()).hasSize(UploadFlowControl.MAX_UNANSWERED + 2);
    assertThat(channel.config().isAutoRead()).isFalse();
    for (int i = 1; i < 20; i++) {
      channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    }
    assertThat(channel.inboundMessages()).hasSize(20);
    assertThat(flow.unanswered()).isZero();
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.finishAndReleaseAll();
  }

  @Test
  void pausesReadsWhileAnAnswerWaitsForASlowReader() {
    UploadFlowControl flow = new UploadFlowControl(1000, 100);
    EmbeddedChannel channel = new EmbeddedChannel(new FlowControlHandler(), flow);
    channel.writeInbound(request());

    // a response past the outbound buffer's high watermark, not yet taken by the socket
    channel.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[128 * 1024])));
    assertThat(channel.isWritable()).isFalse();
    assertThat(channel.config().isAutoRead()).isFalse();
    channel.writeInbound(request());
    assertThat(channel.inboundMessages()).as("the next request waits").hasSize(1);

    channel.flush(); // the reader caught up
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(channel.inboundMessages()).hasSize(2);
    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(flow.unanswered()).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void countsAFileBodyWrittenInChunksAsItsResponsesEnd() throws Exception {
    // under TLS, ChunkedWriteHandler sits between this handler and the socket
    UploadFlowControl flow = new UploadFlowControl(1000, 100);
    EmbeddedChannel channel = new EmbeddedChannel(new ChunkedWriteHandler(), new FlowControlHandler(), flow);
    channel.writeInbound(request());
    assertThat(flow.unanswered()).isEqualTo(1);

    channel.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    channel.writeAndFlush(new HttpChunkedInput(new ChunkedStream(new ByteArrayInputStream(new byte[100_000]), 8192)));
    channel.runPendingTasks();

    assertThat(flow.unanswered()).isZero();
    Object last = null;
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ReferenceCountUtil.release(last);
      last = out;
    }
    assertThat(last).isInstanceOf(LastHttpContent.class);
    ReferenceCountUtil.release(last);
    channel.finishAndReleaseAll();
  }

  private static DefaultHttpRequest request() {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/");
  }
}

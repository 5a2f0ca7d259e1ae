package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
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
}

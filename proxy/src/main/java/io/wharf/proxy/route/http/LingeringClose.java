package io.wharf.proxy.route.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection after its last response as nginx's lingering close does: the response is
 * followed by a FIN (output shut down), and whatever the client still sends, such as the rest of
 * a body refused with 413 before it was read, is read and dropped until the client closes too, for
 * at most {@link #LINGER_MILLIS} and {@link #MAX_DISCARDED} bytes. Closing at once with unread
 * bytes in the socket makes the kernel answer with a reset, which can destroy the response before
 * the client has read it ("header parser received no bytes").
 *
 * <p>Runs as the listener of the last write, on the channel's event loop.
 */
public final class LingeringClose implements ChannelFutureListener {
  public static final LingeringClose INSTANCE = new LingeringClose();
  /** How long a closing connection keeps reading what the client still sends. */
  static final long LINGER_MILLIS = 2_000;
  /** The most bytes read and dropped while lingering. */
  static final long MAX_DISCARDED = 16L * 1024 * 1024;
  private static final String NAME = "lingering-close";

  private LingeringClose() {}

  @Override
  public void operationComplete(ChannelFuture future) {
    Channel channel = future.channel();
    if (channel.pipeline().get(NAME) != null) {
      return; // lingering already: a second end of the same connection (a 413, then its body past the cap)
    }
    if (!future.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive()
        || duplex.isInputShutdown()) {
      channel.close();
      return;
    }
    // first in the pipeline: nothing after it (TLS, the decoder, the routes) sees another byte
    channel.pipeline().addFirst(NAME, new Discard());
    duplex.shutdownOutput().addListener(f -> {
      if (!f.isSuccess()) {
        channel.close();
      }
    });
    channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    channel.config().setAutoRead(true); // reads may have been paused for flow control
    channel.read();
  }

  /** Drops what arrives; the client's own close (EOF) closes the channel. */
  private static final class Discard extends ChannelInboundHandlerAdapter {
    private long discarded;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        discarded += buf.readableBytes();
      }
      ReferenceCountUtil.release(msg);
      if (discarded > MAX_DISCARDED) {
        ctx.close();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // nobody after this handler is to hear of reads
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      // only the client's end (EOF) ends the linger; our own shutdownOutput fires
      // ChannelOutputShutdownEvent right away, and closing on it would reset the connection
      // while the client still sends, which is what lingering is for
      if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
        ctx.close();
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

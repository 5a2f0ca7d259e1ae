package io.wharf.proxy.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;

/**
 * Refuses a request with more than {@code server.maxHeaderCount} header lines: it marks the
 * request as one the decoder could not read, with the decoder's own too-large-headers failure, so
 * {@link RouteHandler} answers it 431 and closes the connection, as it does for headers over
 * {@code server.maxHeaderSize}. (Netty's decoder caps the headers' bytes only; many tiny headers
 * still cost a map entry each.)
 *
 * <p>Sits right after the HTTP codec. Stateless, so one instance may serve every connection.
 */
@Sharable
final class HeaderCountLimit extends ChannelInboundHandlerAdapter {
  private final int maxHeaders;

  HeaderCountLimit(int maxHeaders) {
    if (maxHeaders < 1) {
      throw new IllegalArgumentException("maxHeaders must be at least 1");
    }
    this.maxHeaders = maxHeaders;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
      int count = request.headers().size();
      if (count > maxHeaders) {
        request.setDecoderResult(DecoderResult.failure(
            new TooLongHttpHeaderException(count + " header lines, more than " + maxHeaders)));
      }
    }
    ctx.fireChannelRead(msg);
  }
}

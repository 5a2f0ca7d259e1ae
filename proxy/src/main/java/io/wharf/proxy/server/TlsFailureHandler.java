package io.wharf.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after the {@code SslHandler} and ends connections whose TLS failed (a client that
 * does not trust the certificate, shares no protocol or cipher, or speaks plain HTTP to the HTTPS
 * port) with a debug line: they are the client's business, not a fault of wharf to warn about
 * with a stack trace. Anything else goes on down the pipeline.
 */
final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!isTlsFailure(cause)) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    log.atDebug()
        .addKeyValue("remote", ctx.channel().remoteAddress())
        .log("tls failed: " + (cause instanceof NotSslRecordException ? "not a TLS record (plain HTTP?)" : rootMessage(cause)));
    ctx.close();
  }

  static boolean isTlsFailure(Throwable cause) {
    return cause instanceof SSLException
        || cause instanceof NotSslRecordException
        || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
  }

  private static String rootMessage(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}

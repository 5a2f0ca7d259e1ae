package io.wharf.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection with neither reads nor write progress for the idle timeout. Output progress
 * counts (a long sendfile to a slow reader is not idle), so only truly stuck or abandoned
 * connections go.
 */
final class IdleTimeoutHandler extends IdleStateHandler {
  private static final Logger log = LoggerFactory.getLogger(IdleTimeoutHandler.class);

  IdleTimeoutHandler(Duration timeout) {
    super(true, 0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
    log.atDebug().addKeyValue("remote", ctx.channel().remoteAddress()).log("closing idle connection");
    ctx.close();
  }
}

package io.wharf.proxy.route.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.LastHttpContent;
import io.wharf.proxy.registry.GrowingBlob;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a byte range of a blob that is still being fetched, following its temp file as it grows.
 *
 * <p>Implementation notes. Runs on the channel's event loop. Each step sends what is written and
 * not yet sent (up to {@link #CHUNK} bytes, zero-copy from the file; copied under TLS), then waits for that write to
 * finish, so the client's own pace sets how fast this reader goes (netty#8868: never send past
 * what is written). When caught up it waits for the fetch's next write. If the fetch fails, the
 * connection is closed: the headers are out and no error body can follow, and a client that sees
 * a short body retries. The file is read through a descriptor opened before the commit renames it,
 * so the rename does not disturb a reader.
 */
final class GrowingFileSender {
  private static final Logger log = LoggerFactory.getLogger(GrowingFileSender.class);
  /** The most one step sends: large enough that a step's round trip costs little. */
  static final int CHUNK = 8 * 1024 * 1024;

  private final ChannelHandlerContext ctx;
  private final GrowingBlob blob;
  private final FileChannel file;
  private final long end;
  private final boolean ssl;
  private long sent;
  private boolean closed;
  /** A region is being written: progress and completion callbacks wait for it. */
  private boolean writing;

  GrowingFileSender(ChannelHandlerContext ctx, GrowingBlob blob, FileChannel file, long position, long count) {
    this.ctx = ctx;
    this.blob = blob;
    this.file = file;
    this.sent = position;
    this.end = position + count;
    this.ssl = ctx.pipeline().get(SslHandler.class) != null;
    // a failed fetch must close the connection even while this reader waits for bytes
    blob.done().whenComplete((ok, failure) -> ctx.executor().execute(this::pump));
  }

  /** Sends the next part, or waits for the fetch. Always called on the event loop. */
  void pump() {
    if (closed || writing) {
      return; // the write in flight calls pump again when it completes
    }
    if (!ctx.channel().isActive()) {
      finish(false);
      return;
    }
    if (sent >= end) {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
      // the last region is written by now: its listener ran before this pump
      finish(true);
      return;
    }
    long available = Math.min(blob.written(), end) - sent;
    if (available > 0) {
      long n = Math.min(available, CHUNK);
      Object body = ssl ? copy(n) : new SharedFileRegion(file, sent, n);
      if (body == null) {
        return;
      }
      sent += n;
      writing = true;
      ctx.write(body);
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
        writing = false;
        if (f.isSuccess()) {
          pump();
        } else {
          finish(false);
        }
      });
      return;
    }
    if (blob.done().isCompletedExceptionally() || blob.done().isDone()) {
      // ended without the bytes this reader needs: the fetch failed (or was shorter than announced)
      ctx.close();
      finish(false);
      return;
    }
    AtomicBoolean once = new AtomicBoolean();
    Runnable again = () -> {
      if (once.compareAndSet(false, true)) {
        ctx.executor().execute(this::pump);
      }
    };
    blob.onProgress(again);
    if (blob.written() > sent) {
      again.run(); // a write landed between the check and the registration
    }
  }

  /** Under TLS a FileRegion cannot be written (netty: SslHandler needs buffers): copy instead. */
  private @Nullable ByteBuf copy(long count) {
    int n = (int) count;
    ByteBuf buf = ctx.alloc().ioBuffer(n);
    try {
      while (buf.writerIndex() < n) {
        int read = buf.writeBytes(file, sent + buf.writerIndex(), n - buf.writerIndex());
        if (read < 0) {
          throw new IOException("temp file shorter than written");
        }
      }
      return buf;
    } catch (IOException e) {
      buf.release();
      log.atWarn().setCause(e).log("cannot read a blob being fetched; dropping the client");
      ctx.close();
      finish(false);
      return null;
    }
  }

  /**
   * A zero-copy region of the shared descriptor: the descriptor outlives each region (it is closed
   * once, by {@link #finish}), which DefaultFileRegion's own release would not allow.
   */
  private static final class SharedFileRegion extends DefaultFileRegion {
    SharedFileRegion(FileChannel file, long position, long count) {
      super(file, position, count);
    }

    @Override
    protected void deallocate() {
      // the sender closes the descriptor when it is done with the whole range
    }
  }

  private void finish(boolean complete) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      file.close();
    } catch (IOException ignored) {
      // read-only descriptor: nothing to flush
    }
    if (!complete) {
      log.atDebug().addKeyValue("sent", sent).addKeyValue("end", end).log("stopped following a growing blob");
    }
  }
}

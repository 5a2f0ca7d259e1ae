package io.wharf.proxy.route.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.wharf.proxy.registry.GrowingBlob;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a byte range of a blob that is still arriving from upstream, following it as it grows:
 * bytes already on disk zero-copy from its temp file, bytes not on disk yet from the very buffers
 * the upstream read (borrowed from the fetch, no copy), so a client that keeps up with the upstream
 * never waits for the disk, and one that joins late or falls behind reads the file.
 *
 * <p>Implementation notes. Runs on the channel's event loop. Each step sends what may be sent and
 * is not yet sent (up to {@link #FILE_STEP} bytes from the file, {@link #TLS_FILE_STEP} copied under TLS, or up to
 * {@link #MEMORY_STEP} from memory), then waits for that write to finish, so the client's own pace
 * sets how fast this reader goes and a slow client holds at most one step of borrowed memory
 * (netty#8868: never send past what is written). When caught up it waits for the fetch's next
 * progress. If the fetch fails, the connection is closed: the headers are out and no error body
 * can follow, and a client that sees a short body retries. The file is read through a descriptor
 * opened before the commit renames it, so the rename does not disturb a reader. Under TLS each
 * copy from the file first takes its share of the {@link TlsSendBudget}.
 */
final class GrowingBlobSender {
  private static final Logger log = LoggerFactory.getLogger(GrowingBlobSender.class);
  /** The most one step sends from the file: large enough that a step's round trip costs little. */
  static final int FILE_STEP = 8 * 1024 * 1024;
  /**
   * The same under TLS, where a step is copied into direct memory and encrypted there (twice its
   * size held per client), as the chunks of a committed blob are: at 2 MiB a herd of 50 TLS
   * readers exhausted the launcher's 64 MiB of direct memory and failed the fetch they shared.
   */
  static final int TLS_FILE_STEP = 256 * 1024;
  /** The most one step sends from memory: what a slow client can keep borrowed. */
  static final int MEMORY_STEP = 2 * 1024 * 1024;
  /** A TLS copy's share of the {@link TlsSendBudget}: the step and its encrypted copy. */
  private static final long TLS_SHARE = 2L * TLS_FILE_STEP;

  private final ChannelHandlerContext ctx;
  private final GrowingBlob blob;
  private final FileChannel file;
  private final long end;
  private final boolean ssl;
  private long sent;
  private boolean closed;
  /** A step is being written: progress and completion callbacks wait for it. */
  private boolean writing;
  private final TlsSendBudget budget = TlsSendBudget.jvm();
  /** The budget share held for the TLS copy being written, or granted for the next one. */
  private long share;
  /** In the budget's queue: the grant pumps again. */
  private boolean awaitingShare;

  GrowingBlobSender(ChannelHandlerContext ctx, GrowingBlob blob, FileChannel file, long position, long count) {
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
      // the last step is written by now: its listener ran before this pump
      finish(true);
      return;
    }
    if (blob.done().isCompletedExceptionally()) {
      // the fetch failed: whatever this reader has not sent will never be verified
      ctx.close();
      finish(false);
      return;
    }
    long seen = blob.progress();
    long limit = Math.min(blob.sendable(), end);
    if (sent < limit && step(limit)) {
      return;
    }
    if (blob.done().isDone() && !blob.done().isCompletedExceptionally() && limit <= sent) {
      // committed, yet short of this reader's end: the blob is smaller than the range announced
      ctx.close();
      finish(false);
      return;
    }
    AtomicBoolean once = new AtomicBoolean();
    blob.onProgress(seen, () -> {
      if (once.compareAndSet(false, true)) {
        ctx.executor().execute(this::pump);
      }
    });
  }

  /** Writes the next step below {@code limit}; false when nothing can be sent yet. */
  private boolean step(long limit) {
    long onDisk = Math.min(blob.written(), limit);
    if (sent < onDisk) {
      long n = Math.min(onDisk - sent, ssl ? TLS_FILE_STEP : FILE_STEP);
      if (ssl && !haveShare()) {
        return true; // the grant pumps again
      }
      Object body = ssl ? copy(n) : new SharedFileRegion(file, sent, n);
      if (body == null) {
        return true; // the connection is closing
      }
      write(List.of(body), n, 0);
      return true;
    }
    List<Object> parts = new ArrayList<>();
    long n = 0;
    while (n < MEMORY_STEP && sent + n < limit) {
      ByteBuf b = blob.borrow(sent + n, (int) Math.min(MEMORY_STEP - n, limit - sent - n));
      if (b == null) {
        break;
      }
      parts.add(b);
      n += b.readableBytes();
    }
    if (parts.isEmpty()) {
      // written (and dropped from memory) since written() was read: the file has it now
      return blob.written() > sent && step(limit);
    }
    write(parts, n, (int) n);
    return true;
  }

  private void write(List<Object> parts, long n, int borrowed) {
    sent += n;
    writing = true;
    for (Object part : parts) {
      ctx.write(part);
    }
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
      writing = false;
      releaseShare(); // a TLS copy and its encrypted bytes have left by now
      if (borrowed > 0) {
        blob.giveBack(borrowed); // the channel has released the slices by now
      }
      if (f.isSuccess()) {
        pump();
      } else {
        finish(false);
      }
    });
  }

  /** Whether this reader holds a share of the budget for a TLS copy, asking for one if not. */
  private boolean haveShare() {
    if (share > 0) {
      return true;
    }
    if (awaitingShare) {
      return false;
    }
    if (budget.take(TLS_SHARE, this::granted)) {
      share = TLS_SHARE;
      return true;
    }
    awaitingShare = true; // the grant is posted to this loop, so it runs after this
    return false;
  }

  /** The budget's grant, on any thread. */
  private boolean granted(long bytes) {
    if (!ctx.channel().isActive()) {
      return false;
    }
    try {
      ctx.executor().execute(() -> {
        awaitingShare = false;
        share += bytes;
        if (closed) {
          releaseShare();
        } else {
          pump();
        }
      });
      return true;
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      return false;
    }
  }

  private void releaseShare() {
    long back = share;
    share = 0;
    if (back > 0) {
      budget.giveBack(back);
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
    releaseShare();
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

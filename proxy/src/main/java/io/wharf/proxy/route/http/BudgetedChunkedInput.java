package io.wharf.proxy.route.http;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file's chunks for a TLS connection, each read only with its share of the {@link
 * TlsSendBudget}: the chunk and its encrypted copy. The share is held until the
 * {@code ChunkedWriteHandler} asks for the next chunk, which it does only once the channel is
 * writable again, that is once the last chunk has left for the socket; then it is given back and
 * taken anew behind any waiters, so readers of many blobs take turns.
 *
 * <p>Without a share, {@link #readChunk} answers null: the handler suspends the transfer, and the
 * grant resumes it. Read on the channel's event loop; granted on any thread.
 */
final class BudgetedChunkedInput implements ChunkedInput<ByteBuf> {
  private final ChunkedInput<ByteBuf> file;
  private final long share;
  private final TlsSendBudget budget;
  private final Channel channel;
  /** The share of the chunk last read, given back when the next is asked for (event loop). */
  private long inFlight;
  /** A share granted while waiting, for the next chunk. */
  private final AtomicLong granted = new AtomicLong();
  /** In the budget's queue: asked again meanwhile (writability changes), it must not queue twice. */
  private volatile boolean queued;
  private volatile boolean closed;

  /**
   * @param chunkSize the most bytes one chunk of {@code file} holds; the share is twice that
   */
  BudgetedChunkedInput(ChunkedInput<ByteBuf> file, int chunkSize, TlsSendBudget budget, Channel channel) {
    this.file = requireNonNull(file, "file");
    this.share = 2L * chunkSize;
    this.budget = requireNonNull(budget, "budget");
    this.channel = requireNonNull(channel, "channel");
  }

  @Override
  public boolean isEndOfInput() throws Exception {
    return file.isEndOfInput();
  }

  @Override
  public void close() throws Exception {
    closed = true;
    long back = inFlight + granted.getAndSet(0);
    inFlight = 0;
    if (back > 0) {
      budget.giveBack(back);
    }
    file.close();
  }

  @Deprecated
  @Override
  public ByteBuf readChunk(io.netty.channel.ChannelHandlerContext ctx) throws Exception {
    return readChunk(ctx.alloc());
  }

  @Override
  public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
    if (inFlight > 0) {
      long back = inFlight;
      inFlight = 0;
      budget.giveBack(back); // the last chunk has left: writable again is why we are asked
    }
    if (file.isEndOfInput()) {
      return null;
    }
    long mine = granted.getAndSet(0);
    if (mine == 0) {
      if (queued) {
        return null;
      }
      queued = true; // before take: a grant from another thread may come before take returns
      if (!budget.take(share, this::grant)) {
        return null; // suspended until grant() resumes the transfer
      }
      queued = false;
      mine = share;
    }
    inFlight = mine;
    return file.readChunk(allocator);
  }

  @Override
  public long length() {
    return file.length();
  }

  @Override
  public long progress() {
    return file.progress();
  }

  private boolean grant(long bytes) {
    ChunkedWriteHandler writer = channel.pipeline().get(ChunkedWriteHandler.class);
    if (closed || writer == null || !channel.isActive()) {
      return false;
    }
    granted.addAndGet(bytes);
    queued = false;
    if (closed) {
      // closed meanwhile: close() may have missed this share
      long back = granted.getAndSet(0);
      if (back > 0) {
        budget.giveBack(back);
      }
      return true;
    }
    // posted, never run inline: the grant may come from another channel's read on this loop
    channel.eventLoop().execute(writer::resumeTransfer);
    return true;
  }
}

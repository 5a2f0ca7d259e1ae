package io.wharf.proxy.pullthrough;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The chunks of one blob that arrived from upstream and are not on disk yet, in order: the disk
 * writer takes them from the front, readers that are ahead of the disk borrow slices of them, and
 * the upstream read waits while too many bytes are held ({@link #roomFor}).
 *
 * <p>Thread-safe: the network thread adds, the disk thread takes and drops, readers borrow, all
 * under this object's lock, which is only ever held for bookkeeping (no I/O, no hashing).
 *
 * <p>Owns one reference to each chunk it holds; {@link #written} and {@link #close} release them.
 */
final class PendingChunks {
  private static final CompletableFuture<Void> ROOM = CompletableFuture.completedFuture(null);

  private final long maxBytes;
  private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
  /** The offset of the first chunk held: everything before it is on disk. */
  private long start;
  /** The offset just past the last chunk held. */
  private long end;
  private boolean closed;
  private @Nullable CompletableFuture<Void> waiting;

  /**
   * @param maxBytes how many bytes may wait for the disk before {@link #roomFor} holds the upstream
   *     read back; it goes on once half of them are written
   * @param start the offset of the first chunk that will be added
   */
  PendingChunks(long maxBytes, long start) {
    this.maxBytes = maxBytes;
    this.start = start;
    this.end = start;
  }

  /** Takes over one reference to the next chunk of the blob (released at once after {@link #close}). */
  synchronized void add(ByteBuf chunk) {
    if (closed) {
      chunk.release();
      return;
    }
    chunks.addLast(chunk);
    end += chunk.readableBytes();
  }

  /** Completes when the upstream may send more: at once unless more than the maximum waits for the disk. */
  synchronized CompletableFuture<Void> roomFor() {
    if (closed || end - start <= maxBytes) {
      return ROOM;
    }
    if (waiting == null) {
      waiting = new CompletableFuture<>();
    }
    return waiting;
  }

  /**
   * Up to {@code max} chunks from the front, for the disk writer: views that stay valid until it
   * calls {@link #written}, since only it takes chunks away. Empty when nothing waits.
   */
  synchronized List<ByteBuf> unwritten(int max) {
    List<ByteBuf> front = new ArrayList<>(Math.min(max, chunks.size()));
    for (ByteBuf c : chunks) {
      if (front.size() == max) {
        break;
      }
      front.add(c.duplicate());
    }
    return front;
  }

  /** The disk has the first {@code count} chunks (or gave up on them): drops and releases them. */
  void written(int count) {
    CompletableFuture<Void> resume = null;
    synchronized (this) {
      for (int i = 0; i < count && !chunks.isEmpty(); i++) {
        ByteBuf c = chunks.removeFirst();
        start += c.readableBytes();
        c.release();
      }
      if (waiting != null && end - start <= maxBytes / 2) {
        resume = waiting;
        waiting = null;
      }
    }
    if (resume != null) {
      resume.complete(null); // outside the lock: the upstream read goes on from here
    }
  }

  /**
   * A retained slice from {@code position}, at most {@code max} bytes and within one chunk, for a
   * reader ahead of the disk; null when that position is not held (on disk already, or not here
   * yet). The caller releases it.
   */
  synchronized @Nullable ByteBuf borrow(long position, int max) {
    if (closed || position < start || position >= end || max <= 0) {
      return null;
    }
    long at = start;
    for (ByteBuf c : chunks) {
      int n = c.readableBytes();
      if (position < at + n) {
        int from = (int) (position - at);
        int len = Math.min(max, n - from);
        return c.retainedSlice(c.readerIndex() + from, len);
      }
      at += n;
    }
    return null;
  }

  /** Bytes received and not yet on disk. */
  synchronized long bytes() {
    return end - start;
  }

  /** Releases every chunk and refuses further ones; a waiting upstream read is let go. */
  void close() {
    CompletableFuture<Void> resume;
    synchronized (this) {
      closed = true;
      for (ByteBuf c : chunks) {
        c.release();
      }
      chunks.clear();
      start = end;
      resume = waiting;
      waiting = null;
    }
    if (resume != null) {
      resume.complete(null);
    }
  }
}

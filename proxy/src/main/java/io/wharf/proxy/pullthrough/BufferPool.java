package io.wharf.proxy.pullthrough;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct buffers of {@link #BUFFER_SIZE} that blob fetches fill with the bytes they receive, kept
 * and reused by every fetch: a fetch holds its received bytes until the disk has them, on another
 * thread, and memory that went back to the allocator in between came back as fresh pages, faulted
 * and zeroed again, costing more than the copy into a buffer that stays.
 *
 * <p>A buffer is free when the pool's own reference is the only one left: the fetch that filled it,
 * the slices waiting for the disk and the slices lent to readers have all been released. Past
 * {@code maxPooled} buffers (many fetches at once) a buffer is allocated for one use and freed.
 *
 * <p>Thread-safe.
 */
final class BufferPool {
  static final int BUFFER_SIZE = 1024 * 1024;

  private final int maxPooled;
  /** Each holds one reference of the pool's own. */
  private final List<ByteBuf> pooled = new ArrayList<>();

  BufferPool(int maxPooled) {
    this.maxPooled = maxPooled;
  }

  /** An empty buffer that nobody else holds, with one reference for the caller to release. */
  synchronized ByteBuf take() {
    for (ByteBuf b : pooled) {
      if (b.refCnt() == 1) { // only ever drops while pooled: no one can take it meanwhile
        b.clear();
        return b.retain();
      }
    }
    ByteBuf b = Unpooled.directBuffer(BUFFER_SIZE, BUFFER_SIZE);
    if (pooled.size() < maxPooled) {
      pooled.add(b);
      return b.retain();
    }
    return b;
  }

  /** How many buffers the pool keeps (each {@link #BUFFER_SIZE} of direct memory). */
  synchronized int pooled() {
    return pooled.size();
  }
}

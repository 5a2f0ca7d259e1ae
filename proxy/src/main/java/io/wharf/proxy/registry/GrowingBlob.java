package io.wharf.proxy.registry;

import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A blob still arriving from upstream, which readers follow at their own pace while it grows: a
 * slow reader never slows the fetch, a fast one never waits for a slow one. What is on disk is read
 * from the temp file; what arrived and is not on disk yet is lent from memory, so a reader that
 * keeps up with the upstream never waits for the disk.
 *
 * <p>Thread-safe. Progress listeners run on whichever thread made the progress and must not block.
 */
public interface GrowingBlob {
  /** The temp file the fetch writes; renamed into place at commit (open descriptors stay valid). */
  Path file();

  /** How many bytes from the start of the file are written (readable from the file). */
  long written();

  /**
   * How far readers may send: every byte received and hashed, except the blob's last one until
   * its digest is verified, so that a client never holds a whole body that was wrong.
   */
  long sendable();

  /**
   * A slice of received bytes that are not on disk yet, from {@code position}, at most {@code max}
   * bytes (fewer at a chunk's end); null when that position is not held in memory (read the file
   * once {@link #written} covers it), or while readers already borrow as much as one fetch lends.
   * The caller releases the buffer (writing it to a channel does) and then calls {@link #giveBack}.
   */
  @Nullable ByteBuf borrow(long position, int max);

  /** Tells the fetch that a borrowed slice of {@code bytes} was released. */
  void giveBack(int bytes);

  /**
   * A counter that moves on every change a reader may wait for: bytes received, verified, lent
   * bytes given back while a reader was refused a loan, the end. (Not bytes written: a reader
   * ahead of the disk borrows, one behind it reads the file; neither waits for the disk.)
   */
  long progress();

  /**
   * Runs {@code listener} once, after {@link #progress} has moved past {@code seen}: at once if it
   * already has.
   */
  void onProgress(long seen, Runnable listener);

  /** The blob's whole size, once the upstream's response headers (or the end of its body) said it. */
  CompletableFuture<Long> size();

  /**
   * The committed blob once it is verified and committed; exceptionally when the fetch failed
   * (its bytes are then deleted and nothing was committed).
   */
  CompletableFuture<BlobContent> done();
}

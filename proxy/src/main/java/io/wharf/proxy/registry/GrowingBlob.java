package io.wharf.proxy.registry;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A blob still being fetched from upstream into a temp file, which readers follow at their own
 * pace while it grows: a slow reader never slows the fetch, a fast one never waits for a slow one.
 *
 * <p>Thread-safe. Progress listeners run on the fetch's writer thread and must not block.
 */
public interface GrowingBlob {
  /** The temp file the fetch writes; renamed into place at commit (open descriptors stay valid). */
  Path file();

  /** How many bytes from the start of the file are written (readable by followers). */
  long written();

  /** The blob's whole size, once the upstream's response headers have said it. */
  CompletableFuture<Long> size();

  /**
   * The committed blob once it is verified and committed; exceptionally when the fetch failed
   * (its bytes are then deleted and nothing was committed).
   */
  CompletableFuture<BlobContent> done();

  /** Runs {@code listener} once, after the next write (or at once if the fetch already ended). */
  void onProgress(Runnable listener);
}

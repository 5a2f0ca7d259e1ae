package io.wharf.proxy.registry;

import java.nio.ByteBuffer;

/**
 * Receives one request's worth of bytes for an upload session. Not thread-safe: one request writes
 * to it, in order, then closes it.
 */
public interface UploadSink extends AutoCloseable {
  /** Appends the buffer's remaining bytes (hashing them as they pass). */
  void write(ByteBuffer bytes);

  /** The session's size after everything written so far. */
  long offset();

  /** Ends this request's writes; the session stays open for more requests. */
  @Override
  void close();
}

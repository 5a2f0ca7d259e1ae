package io.wharf.storage;

import io.wharf.storage.layout.StorageFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * One request's writes into an upload session: bytes are appended to the session's file and hashed
 * as they pass. Not thread-safe; the session admits one writer at a time.
 */
public final class UploadWriter implements AutoCloseable {
  private final UploadSession session;
  private boolean closed;

  UploadWriter(UploadSession session) {
    this.session = session;
  }

  /** Appends the buffer's remaining bytes. */
  public void write(ByteBuffer bytes) {
    if (closed) {
      throw new IllegalStateException("writer closed");
    }
    try {
      session.append(bytes);
    } catch (IOException e) {
      throw StorageFailure.of("cannot write upload " + session.id(), e);
    }
  }

  /**
   * The session's file. Readers may follow it while it grows (the pull-through cache serves a blob
   * while fetching it); once the session completes, the file is renamed into place.
   */
  public java.nio.file.Path file() {
    return session.data();
  }

  /** The session's size so far. */
  public long offset() {
    return session.offset();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      session.release();
    }
  }
}

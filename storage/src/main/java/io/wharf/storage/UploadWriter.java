package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.OciException;
import io.wharf.storage.layout.StorageFailure;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One request's writes into an upload session: bytes are appended to the session's file and hashed
 * as they pass ({@link #write}), or hashed as they arrive and written later by another thread
 * ({@link #hash}, then {@link #appendHashed}: a fetch hashes on its network thread while a disk
 * thread writes). The session admits one writer at a time.
 *
 * <p>Not thread-safe, except that {@link #hash} and {@link #appendHashed} may each be called by
 * its own thread; every byte must pass both, in the same order, before the session completes
 * (which refuses a session whose hashed and written counts differ).
 */
public final class UploadWriter implements AutoCloseable {
  private final UploadSession session;
  private final Runnable discard;
  private boolean closed;

  /** @param discard drops the session and its file (when the disk is full) */
  UploadWriter(UploadSession session, Runnable discard) {
    this.session = session;
    this.discard = discard;
  }

  /** Appends the buffer's remaining bytes. */
  public void write(ByteBuffer bytes) {
    if (closed) {
      throw new IllegalStateException("writer closed");
    }
    try {
      session.append(bytes);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /**
   * Hashes the buffer's remaining bytes as the next ones of the upload, without writing them and
   * without moving the buffer's position; {@link #appendHashed} writes the same bytes later.
   */
  public void hash(ByteBuffer bytes) {
    if (closed) {
      throw new IllegalStateException("writer closed");
    }
    session.hash(bytes);
  }

  /**
   * Appends bytes already hashed by {@link #hash}, in order, with one gathering write where the
   * buffers allow; consumes them.
   *
   * @throws IllegalStateException when more bytes would be written than were hashed
   */
  public void appendHashed(ByteBuffer... bytes) {
    if (closed) {
      throw new IllegalStateException("writer closed");
    }
    try {
      session.appendHashed(bytes);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /**
   * A full disk (ENOSPC, EDQUOT) ends the session at once: its bytes so far only hold space that
   * serving and other writes need, and no client resumes an upload the registry refused. The
   * client sees 503 UNAVAILABLE; a later request to the session, BLOB_UPLOAD_UNKNOWN.
   */
  private RuntimeException failed(IOException e) {
    RuntimeException failure = StorageFailure.of("cannot write upload " + session.id(), e);
    if (failure instanceof OciException) {
      discard.run();
    }
    return failure;
  }

  /**
   * The sha256 of every byte hashed so far, which a fetch compares with the digest it asked for as
   * soon as the last byte arrived, before the disk has caught up. Not concurrently with {@link #hash}.
   */
  public Digest hashedDigest() {
    return session.runningSha256();
  }

  /** How many bytes have been hashed. */
  public long hashed() {
    return session.hashed();
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

package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
import io.wharf.oci.Digester;
import io.wharf.oci.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The live state of one upload: its open file, the running sha256 and the size, plus a flag that
 * admits one writer at a time (two requests appending at once would interleave bytes).
 *
 * <p>Bytes are hashed either as they are written ({@link #append}) or ahead of the write by
 * another thread ({@link #hash}, then {@link #appendHashed}); {@link #hashed} and {@link #offset}
 * must agree before the session can be committed.
 */
final class UploadSession {
  private final RepositoryName repo;
  private final String id;
  private final Path data;
  private final long startedAt;
  private final FileChannel channel;
  private final Digester sha256 = Digester.of(DigestAlgorithm.SHA256);
  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile long offset;
  private volatile long hashed;

  UploadSession(RepositoryName repo, String id, Path data, long startedAt, FileChannel channel) {
    this.repo = repo;
    this.id = id;
    this.data = data;
    this.startedAt = startedAt;
    this.channel = channel;
  }

  RepositoryName repo() {
    return repo;
  }

  String id() {
    return id;
  }

  Path data() {
    return data;
  }

  long startedAt() {
    return startedAt;
  }

  long offset() {
    return offset;
  }

  boolean acquire() {
    return busy.compareAndSet(false, true);
  }

  void release() {
    busy.set(false);
  }

  void append(ByteBuffer bytes) throws IOException {
    ByteBuffer forHash = bytes.duplicate();
    long pos = offset;
    while (bytes.hasRemaining()) {
      pos += channel.write(bytes, pos);
    }
    sha256.update(forHash);
    hashed += pos - offset;
    offset = pos;
  }

  /** Hashes the next bytes of the upload, which {@link #appendHashed} writes later; leaves them unread. */
  void hash(ByteBuffer bytes) {
    int n = bytes.remaining();
    sha256.update(bytes.duplicate());
    hashed += n;
  }

  /** Writes bytes already passed to {@link #hash}, in one gathering write where it can. */
  void appendHashed(ByteBuffer[] bytes) throws IOException {
    long pos = offset;
    long left = 0;
    for (ByteBuffer b : bytes) {
      left += b.remaining();
    }
    if (pos + left > hashed) {
      throw new IllegalStateException("writing " + (pos + left) + " bytes of upload " + id + " of which " + hashed + " are hashed");
    }
    channel.position(pos);
    while (left > 0) {
      long n = channel.write(bytes);
      pos += n;
      left -= n;
    }
    offset = pos;
  }

  /** The sha256 of the bytes hashed so far; the running hash goes on. */
  Digest runningSha256() {
    return sha256.copy().digest();
  }

  /** How many bytes the running hash has seen. */
  long hashed() {
    return hashed;
  }

  /** The digest of everything written, in the algorithm the client named. */
  Digest digest(DigestAlgorithm algorithm) throws IOException {
    if (algorithm == DigestAlgorithm.SHA256) {
      return sha256.copy().digest();
    }
    // rare: hash the file again rather than keep a second hasher for every upload
    Digester d = Digester.of(algorithm);
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(data)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return d.digest();
  }

  void force() throws IOException {
    channel.force(true);
  }

  void closeChannel() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the session is over either way; its file is committed or deleted next
    }
  }
}

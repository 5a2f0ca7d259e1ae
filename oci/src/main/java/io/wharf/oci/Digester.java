package io.wharf.oci;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A streaming hasher that yields a {@link Digest}: feed it bytes as they pass, then ask for the
 * digest once. Not thread-safe; one per stream.
 */
public final class Digester {
  private final DigestAlgorithm algorithm;
  private final MessageDigest md;
  private long count;

  private Digester(DigestAlgorithm algorithm) {
    this.algorithm = algorithm;
    this.md = algorithm.newMessageDigest();
  }

  /** A new hasher for the given algorithm. */
  public static Digester of(DigestAlgorithm algorithm) {
    return new Digester(algorithm);
  }

  /** Hashes the buffer's remaining bytes and leaves its position at its limit. */
  public void update(ByteBuffer buffer) {
    int n = buffer.remaining();
    md.update(buffer);
    count += n;
  }

  /** Hashes {@code bytes[offset, offset + length)}; a slice out of range is refused and not counted. */
  public void update(byte[] bytes, int offset, int length) {
    md.update(bytes, offset, length);
    count += length;
  }

  /** The number of bytes hashed so far. */
  public long count() {
    return count;
  }

  public DigestAlgorithm algorithm() {
    return algorithm;
  }

  /** The digest of everything fed so far; the hasher is reset afterwards. */
  public Digest digest() {
    return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
  }

  /**
   * A copy carrying the same state, so a chunked upload can checkpoint its hash between chunks.
   */
  public Digester copy() {
    try {
      Digester c = new Digester(algorithm, (MessageDigest) md.clone());
      c.count = count;
      return c;
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("hasher cannot be cloned", e);
    }
  }

  private Digester(DigestAlgorithm algorithm, MessageDigest md) {
    this.algorithm = algorithm;
    this.md = md;
  }
}

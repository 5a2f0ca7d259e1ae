package io.wharf.bench.http;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.stream.ChunkedInput;
import java.util.function.Supplier;

/**
 * A request body of a known length: either small bytes in memory (JSON manifests and configs) or
 * a stream generated chunk by chunk while it is written (blobs of any size, never held whole).
 */
public sealed interface Body {

  /** Content-Length. */
  long length();

  /** Whether the body can be sent a second time (a retry on a fresh connection). */
  boolean replayable();

  static Body of(byte[] bytes) {
    return new Bytes(bytes.clone());
  }

  /**
   * A streamed body: {@code source} opens a new stream of exactly {@code length} bytes each time the
   * body is sent.
   */
  static Body stream(long length, Supplier<? extends ChunkedInput<ByteBuf>> source) {
    return new Stream(length, source);
  }

  /** Bytes held in memory. */
  record Bytes(byte[] bytes) implements Body {
    public Bytes {
      requireNonNull(bytes, "bytes");
    }

    @Override
    public long length() {
      return bytes.length;
    }

    @Override
    public boolean replayable() {
      return true;
    }
  }

  /** Bytes produced while writing, by a fresh {@link ChunkedInput} per send. */
  record Stream(long length, Supplier<? extends ChunkedInput<ByteBuf>> source) implements Body {
    public Stream {
      if (length < 0) {
        throw new IllegalArgumentException("length < 0");
      }
      requireNonNull(source, "source");
    }

    @Override
    public boolean replayable() {
      return true;
    }

    ChunkedInput<ByteBuf> open() {
      return source.get();
    }
  }
}

package io.wharf.bench.content;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Incompressible bytes from a 64-bit seed (SplitMix64), several GB/s on one core: blobs of any
 * size are generated twice, once to hash and once to send, instead of being held or stored.
 *
 * <p>The bytes depend only on the seed and the position, as long as every {@link #fill} but the
 * last asks for a multiple of 8 bytes.
 */
public final class PrngStream {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;
  private boolean ended;

  public PrngStream(long seed) {
    this.state = seed;
  }

  /**
   * Writes the next {@code len} bytes into {@code dst} from {@code off}.
   *
   * @throws IllegalStateException if an earlier call asked for a length that is not a multiple of 8
   *     (its last long was cut, so the stream can no longer continue exactly)
   */
  public void fill(byte[] dst, int off, int len) {
    if (ended) {
      throw new IllegalStateException("a previous fill ended mid-long; only the last fill may");
    }
    int whole = len & ~7;
    int end = off + whole;
    long s = state;
    for (int i = off; i < end; i += 8) {
      s += GOLDEN_GAMMA;
      LONGS.set(dst, i, mix(s));
    }
    int rest = len - whole;
    if (rest > 0) {
      s += GOLDEN_GAMMA;
      long last = mix(s);
      for (int i = 0; i < rest; i++) {
        dst[end + i] = (byte) (last >>> (8 * i));
      }
      ended = true;
    }
    state = s;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

package io.wharf.bench.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.stream.ChunkedInput;
import io.wharf.bench.http.Body;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

final class SyntheticBlobTest {

  @Test
  void theStreamedBytesAreTheHashedBytes() throws Exception {
    for (long size : new long[] {0, 1, 7, 8, 9, SyntheticBlob.CHUNK - 1, SyntheticBlob.CHUNK, 3L * SyntheticBlob.CHUNK + 5}) {
      SyntheticBlob blob = SyntheticBlob.named("k", size);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      long total = 0;
      ChunkedInput<ByteBuf> in = ((Body.Stream) blob.body()).source().get();
      while (!in.isEndOfInput()) {
        ByteBuf b = in.readChunk(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        md.update(bytes);
        total += bytes.length;
      }
      assertThat(total).as("size %d", size).isEqualTo(size);
      assertThat("sha256:" + HexFormat.of().formatHex(md.digest())).as("size %d", size).isEqualTo(blob.digest());
    }
  }

  @Test
  void namedIsStableAndFreshIsNot() {
    assertThat(SyntheticBlob.named("bench/app/layer0", 1000).digest())
        .isEqualTo(SyntheticBlob.named("bench/app/layer0", 1000).digest())
        .isNotEqualTo(SyntheticBlob.named("bench/app/layer1", 1000).digest());
    assertThat(SyntheticBlob.fresh(1000).digest()).isNotEqualTo(SyntheticBlob.fresh(1000).digest());
  }

  @Test
  void bytesDoNotCompress() {
    byte[] b = new byte[1 << 20];
    new PrngStream(42).fill(b, 0, b.length);
    var deflater = new Deflater(Deflater.BEST_COMPRESSION);
    deflater.setInput(b);
    deflater.finish();
    byte[] out = new byte[b.length * 2];
    int n = deflater.deflate(out);
    deflater.end();
    assertThat(n).isGreaterThan(b.length);
  }

  @Test
  void onlyTheLastFillMayEndMidLong() {
    var prng = new PrngStream(1);
    prng.fill(new byte[5], 0, 5);
    assertThatThrownBy(() -> prng.fill(new byte[8], 0, 8)).isInstanceOf(IllegalStateException.class);
  }
}

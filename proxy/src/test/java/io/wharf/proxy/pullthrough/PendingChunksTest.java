package io.wharf.proxy.pullthrough;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

final class PendingChunksTest {
  private static ByteBuf chunk(int size, int fill) {
    ByteBuf b = Unpooled.directBuffer(size);
    for (int i = 0; i < size; i++) {
      b.writeByte(fill + i);
    }
    return b;
  }

  @Test
  void lendsSlicesOfWhatIsNotOnDiskAndForgetsWhatIs() {
    PendingChunks pending = new PendingChunks(1000, 0);
    ByteBuf a = chunk(100, 0);
    ByteBuf b = chunk(50, 100);
    pending.add(a);
    pending.add(b);

    ByteBuf slice = pending.borrow(90, 30);
    assertThat(slice).isNotNull();
    assertThat(slice.readableBytes()).as("within one chunk").isEqualTo(10);
    assertThat(slice.getByte(slice.readerIndex())).isEqualTo((byte) 90);
    ByteBuf next = pending.borrow(100, 30);
    assertThat(next.readableBytes()).isEqualTo(30);
    assertThat(next.getByte(next.readerIndex())).isEqualTo((byte) 100);
    assertThat(pending.borrow(150, 10)).as("not here yet").isNull();

    List<ByteBuf> front = pending.unwritten(1);
    assertThat(front).hasSize(1);
    assertThat(front.get(0).readableBytes()).isEqualTo(100);
    pending.written(1);

    assertThat(pending.borrow(90, 10)).as("on disk: read the file").isNull();
    assertThat(pending.bytes()).isEqualTo(50);
    assertThat(a.refCnt()).as("the borrowed slice still holds it").isEqualTo(1);
    slice.release();
    assertThat(a.refCnt()).isZero();
    next.release();
    pending.close();
    assertThat(b.refCnt()).isZero();
  }

  @Test
  void theUpstreamWaitsPastTheMaximumAndGoesOnAtHalf() {
    PendingChunks pending = new PendingChunks(100, 0);
    pending.add(chunk(60, 0));
    assertThat(pending.roomFor()).isDone();
    pending.add(chunk(60, 0));
    pending.add(chunk(60, 0));

    CompletableFuture<Void> room = pending.roomFor();
    assertThat(room).isNotDone();
    pending.written(1); // 120 left
    assertThat(room).isNotDone();
    pending.written(1); // 60 left, not above half of 100
    assertThat(room).isNotDone();
    pending.written(1);
    assertThat(room).isDone();
    pending.close();
  }

  @Test
  void closingReleasesEverythingAndLetsAWaitingUpstreamGo() {
    PendingChunks pending = new PendingChunks(10, 0);
    ByteBuf a = chunk(20, 0);
    pending.add(a);
    CompletableFuture<Void> room = pending.roomFor();

    pending.close();

    assertThat(room).isDone();
    assertThat(a.refCnt()).isZero();
    ByteBuf late = chunk(5, 0);
    pending.add(late);
    assertThat(late.refCnt()).as("refused after close").isZero();
    assertThat(pending.borrow(0, 5)).isNull();
  }
}

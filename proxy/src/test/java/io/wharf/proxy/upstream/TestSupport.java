package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.wharf.oci.OciException;
import java.io.ByteArrayOutputStream;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Fakes and helpers the upstream tests share. */
final class TestSupport {
  private TestSupport() {}

  /** Settings that fail fast: 2 s to connect, 2 s of silence, the given retries. */
  static UpstreamClientSettings fast(int retries) {
    return UpstreamClientSettings.of(Duration.ofSeconds(2), Duration.ofSeconds(2), retries);
  }

  /** Records every backoff and completes at once. */
  static final class RecordingSleeper implements Sleeper {
    final List<Duration> waits = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Void> sleep(Duration delay) {
      waits.add(delay);
      return CompletableFuture.completedFuture(null);
    }
  }

  /** A ticker tests move by hand. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }

  /** Keeps every byte; optionally completes each write late, off the caller's thread. */
  static final class CollectingSink implements BlobSink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<long[]> begins = new CopyOnWriteArrayList<>();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    private final long delayMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "slow-sink");
      t.setDaemon(true);
      return t;
    });

    CollectingSink() {
      this(0);
    }

    CollectingSink(long delayMillis) {
      this.delayMillis = delayMillis;
    }

    @Override
    public synchronized void begin(long start, long total) {
      begins.add(new long[] {start, total});
      bytes.reset();
    }

    @Override
    public CompletionStage<Void> write(ByteBuf chunk) {
      maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      writes.incrementAndGet();
      byte[] copy = new byte[chunk.readableBytes()];
      chunk.getBytes(chunk.readerIndex(), copy);
      synchronized (this) {
        bytes.write(copy, 0, copy.length);
      }
      CompletableFuture<Void> done = new CompletableFuture<>();
      Runnable finish = () -> {
        outstanding.decrementAndGet();
        done.complete(null);
      };
      if (delayMillis == 0) {
        finish.run();
      } else {
        timer.schedule(finish, delayMillis, TimeUnit.MILLISECONDS);
      }
      return done;
    }

    synchronized byte[] bytes() {
      return bytes.toByteArray();
    }
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** The OciException a future failed with. */
  static OciException failure(CompletableFuture<?> f) throws InterruptedException, TimeoutException {
    try {
      f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(OciException.class);
      return (OciException) e.getCause();
    }
    throw new AssertionError("expected a failure, got success");
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }
}

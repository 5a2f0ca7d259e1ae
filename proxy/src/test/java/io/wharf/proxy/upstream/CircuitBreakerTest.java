package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.wharf.proxy.metrics.WharfMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The breaker against a manual scheduler whose clock only moves when the test says so: no sleeps,
 * and every probe and timeout runs at the instant it was scheduled for.
 */
final class CircuitBreakerTest {
  private static final CircuitBreaker.Settings SETTINGS = CircuitBreaker.Settings.DEFAULTS;

  private final ManualScheduler scheduler = new ManualScheduler();
  private final AtomicInteger probes = new AtomicInteger();
  /** What the next probe returns; the test swaps it. */
  private Supplier<CompletionStage<Boolean>> answer = () -> CompletableFuture.completedFuture(false);

  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(CircuitBreaker.class);
  private Level configured;

  private final CircuitBreaker breaker = new CircuitBreaker("hub", SETTINGS, scheduler, () -> {
    probes.incrementAndGet();
    return answer.get();
  }, scheduler::nanoTime);

  @BeforeEach
  void capture() {
    configured = logger.getLevel();
    logger.setLevel(Level.INFO);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(configured);
    breaker.close();
  }

  @Test
  void startsHealthy() {
    assertThat(breaker.state()).isEqualTo(BreakerState.HEALTHY);
    assertThat(breaker.allowRequest()).isTrue();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void degradesBelowTheThresholdAndOpensAtIt() {
    fail(4);
    assertThat(breaker.state()).isEqualTo(BreakerState.DEGRADED);
    assertThat(breaker.allowRequest()).isTrue();
    assertThat(scheduler.pending()).isZero();

    fail(1);
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    assertThat(breaker.allowRequest()).isFalse();
    assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(10));
    assertThat(probes).hasValue(0); // nothing is dialled before the backoff
  }

  @Test
  void neverOpensWhenSuccessesInterleave() {
    for (int i = 0; i < 10; i++) {
      fail(4);
      assertThat(breaker.state()).isEqualTo(BreakerState.DEGRADED);
      breaker.recordSuccess();
      assertThat(breaker.state()).isEqualTo(BreakerState.HEALTHY);
    }
    assertThat(breaker.allowRequest()).isTrue();
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void opensAtOnceWithAThresholdOfOne() {
    CircuitBreaker one = new CircuitBreaker("one", new CircuitBreaker.Settings(
        1, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(1)), scheduler, answer, scheduler::nanoTime);
    one.recordFailure();
    assertThat(one.state()).isEqualTo(BreakerState.OFFLINE);
    one.close();
  }

  @Test
  void backsOffDoublingUpToTheCap() {
    fail(5);
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Duration wait = scheduler.nextDelay();
      waits.add(wait);
      scheduler.advance(wait);
      assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    }
    assertThat(waits).extracting(Duration::toSeconds).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L, 300L);
    assertThat(probes).hasValue(8);
    assertThat(scheduler.pending()).isOne(); // the next probe, and no stray timeout
  }

  @Test
  void aSuccessfulProbeClosesItAndResetsTheBackoff() {
    fail(5);
    scheduler.advance(Duration.ofSeconds(10));
    scheduler.advance(Duration.ofSeconds(20));
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);

    answer = () -> CompletableFuture.completedFuture(true);
    scheduler.advance(Duration.ofSeconds(40));
    assertThat(breaker.state()).isEqualTo(BreakerState.HEALTHY);
    assertThat(breaker.allowRequest()).isTrue();
    assertThat(scheduler.pending()).isZero();

    fail(5);
    assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void staysRefusingWhileOfflineWhateverLateRequestsReport() {
    fail(5);
    breaker.recordSuccess(); // a request that started before it opened
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    fail(3);
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    assertThat(scheduler.pending()).isOne();
    assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aProbeThatHangsTimesOutAndCountsAsFailed() {
    CompletableFuture<Boolean> hanging = new CompletableFuture<>();
    answer = () -> hanging;
    fail(5);
    scheduler.advance(Duration.ofSeconds(10)); // probe starts
    assertThat(probes).hasValue(1);
    assertThat(scheduler.nextDelay()).isEqualTo(SETTINGS.probeTimeout());

    scheduler.advance(SETTINGS.probeTimeout());
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(20));

    hanging.complete(true); // too late: that attempt is over
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
  }

  @Test
  void aProbeThatFailsOrThrowsCountsAsFailed() {
    answer = () -> CompletableFuture.failedFuture(new java.net.ConnectException("refused"));
    fail(5);
    scheduler.advance(Duration.ofSeconds(10));
    assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(20));

    answer = () -> {
      throw new IllegalStateException("client closed");
    };
    scheduler.advance(Duration.ofSeconds(20));
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    assertThat(scheduler.nextDelay()).isEqualTo(Duration.ofSeconds(40));
  }

  @Test
  void aProbeThatSucceedsLaterClosesIt() {
    CompletableFuture<Boolean> slow = new CompletableFuture<>();
    answer = () -> slow;
    fail(5);
    scheduler.advance(Duration.ofSeconds(10));
    slow.complete(true);
    assertThat(breaker.state()).isEqualTo(BreakerState.HEALTHY);
    assertThat(scheduler.pending()).isZero(); // the timeout was cancelled
  }

  @Test
  void logsEachOutageOnceWhenItStartsAndOnceWhenItEnds() {
    fail(12);
    scheduler.advance(Duration.ofSeconds(10));
    scheduler.advance(Duration.ofSeconds(20));
    answer = () -> CompletableFuture.completedFuture(true);
    scheduler.advance(Duration.ofSeconds(40));

    assertThat(lines.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.INFO);
    assertThat(lines.list.get(0).getFormattedMessage()).contains("offline");
    assertThat(lines.list.get(0).getKeyValuePairs()).anySatisfy(kv -> {
      assertThat(kv.key).isEqualTo("upstream");
      assertThat(kv.value).isEqualTo("hub");
    });
    assertThat(lines.list.get(1).getKeyValuePairs()).anySatisfy(kv -> {
      assertThat(kv.key).isEqualTo("offline_s");
      assertThat(kv.value).isEqualTo(70L);
    });
  }

  @Test
  void closeCancelsThePendingProbe() {
    fail(5);
    breaker.close();
    assertThat(scheduler.pending()).isZero();
    scheduler.advance(Duration.ofMinutes(10));
    assertThat(probes).hasValue(0);
  }

  @Test
  void opensOnceUnderConcurrentFailures() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10_000; i++) {
            breaker.recordFailure();
            breaker.allowRequest();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(breaker.state()).isEqualTo(BreakerState.OFFLINE);
    assertThat(scheduler.pending()).isOne();
    assertThat(lines.list).hasSize(1);
  }

  @Test
  void showsItsStateInTheMetrics() {
    try (WharfMetrics metrics = new WharfMetrics()) {
      metrics.registerBreaker("hub", breaker);
      assertThat(metrics.scrape())
          .contains("wharf_upstream_breaker_level{upstream=\"hub\"} 0.0")
          .contains("wharf_upstream_breaker_state{state=\"healthy\",upstream=\"hub\"} 1.0")
          .contains("wharf_upstream_breaker_state{state=\"offline\",upstream=\"hub\"} 0.0");

      fail(1);
      assertThat(metrics.scrape()).contains("wharf_upstream_breaker_level{upstream=\"hub\"} 1.0");

      fail(4);
      assertThat(metrics.scrape())
          .contains("wharf_upstream_breaker_level{upstream=\"hub\"} 2.0")
          .contains("wharf_upstream_breaker_state{state=\"healthy\",upstream=\"hub\"} 0.0")
          .contains("wharf_upstream_breaker_state{state=\"offline\",upstream=\"hub\"} 1.0");
    }
  }

  private void fail(int times) {
    for (int i = 0; i < times; i++) {
      breaker.recordFailure();
    }
  }

  /**
   * A scheduler that runs nothing until {@link #advance}, which moves its clock and runs what
   * fell due, in order, on the calling thread. Thread-safe enough for tasks to be scheduled from
   * other threads.
   */
  static final class ManualScheduler implements ScheduledExecutorService {
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long now = 1_000_000_000L;
    private long sequence;

    synchronized long nanoTime() {
      return now;
    }

    /** Tasks scheduled and not cancelled. */
    synchronized int pending() {
      queue.removeIf(Task::isCancelled);
      return queue.size();
    }

    /** How long until the next task is due. */
    synchronized Duration nextDelay() {
      queue.removeIf(Task::isCancelled);
      Task next = queue.peek();
      if (next == null) {
        throw new AssertionError("no task scheduled");
      }
      return Duration.ofNanos(next.at - now);
    }

    /** Moves the clock forward, running each task that falls due at its own instant. */
    void advance(Duration by) {
      long until;
      synchronized (this) {
        until = now + by.toNanos();
      }
      while (true) {
        Task task;
        synchronized (this) {
          task = queue.peek();
          if (task == null || task.at > until) {
            now = until;
            return;
          }
          queue.poll();
          now = task.at;
        }
        task.run();
      }
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      Task task = new Task(command, now + unit.toNanos(delay), sequence++);
      queue.add(task);
      return task;
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void execute(Runnable command) {
      schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<?> submit(Runnable task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException();
    }

    private final class Task implements ScheduledFuture<Object>, Comparable<Delayed> {
      final Runnable command;
      final long at;
      final long seq;
      volatile boolean cancelled;
      volatile boolean done;

      Task(Runnable command, long at, long seq) {
        this.command = command;
        this.at = at;
        this.seq = seq;
      }

      void run() {
        if (!cancelled) {
          done = true;
          command.run();
        }
      }

      @Override
      public long getDelay(TimeUnit unit) {
        return unit.convert(at - nanoTime(), TimeUnit.NANOSECONDS);
      }

      @Override
      public int compareTo(Delayed o) {
        Task t = (Task) o;
        return at != t.at ? Long.compare(at, t.at) : Long.compare(seq, t.seq);
      }

      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        if (done) {
          return false;
        }
        cancelled = true;
        return true;
      }

      @Override
      public boolean isCancelled() {
        return cancelled;
      }

      @Override
      public boolean isDone() {
        return done || cancelled;
      }

      @Override
      public Object get() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Object get(long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException();
      }
    }
  }
}

package io.wharf.proxy.server;

import io.wharf.proxy.concurrent.SerialExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads routes run on, off the event loops: one pool shared by every connection, each
 * connection with its own {@link SerialExecutor} lane on it, so one connection's events run one at
 * a time and in order.
 *
 * <p>Routes block: on the disk (fsync, the synced index write of a commit) and on the upstream (a
 * manifest fetch up to its deadline, a cold blob until the upstream has said its size). With a
 * fixed handful of threads and connections pinned to them, a few slow upstream answers held up
 * every cached pull pinned behind them. The pool is a {@link ForkJoinPool}: the upstream waits are
 * {@code CompletableFuture} joins and timed gets, which tell the pool they block, and it starts a
 * spare thread for each so that {@link #RUNNABLE} threads stay free for everything else, up to
 * {@link #MAX_THREADS} in all. Work that does not wait gets no more threads than before, so a burst
 * of cheap requests does not cost a thread each; spares end after a minute idle.
 */
final class RouteThreads implements RouteLanes {
  private static final Logger log = LoggerFactory.getLogger(RouteThreads.class);

  /** Threads free to run routes whatever waits: as many as the fixed pool had. */
  static final int RUNNABLE = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
  /** Enough for every client of a cluster restart to wait on the upstream at once. */
  static final int MAX_THREADS = 256;
  private static final long IDLE_SECONDS = 60;

  private final ForkJoinPool pool;

  RouteThreads() {
    pool = new ForkJoinPool(RUNNABLE, RouteThreads::newThread,
        (t, e) -> log.atError().setCause(e).addKeyValue("thread", t.getName()).log("route thread failed"),
        true, // FIFO: lanes are served in the order they asked
        RUNNABLE, MAX_THREADS, RUNNABLE,
        p -> true, // at the cap a waiting route blocks without a spare, rather than fail
        IDLE_SECONDS, TimeUnit.SECONDS);
  }

  private static ForkJoinWorkerThread newThread(ForkJoinPool pool) {
    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
    t.setName("wharf-route-" + t.getPoolIndex());
    t.setDaemon(true);
    return t;
  }

  @Override
  public Executor lane() {
    return new SerialExecutor(pool);
  }

  /** Refuses new work; routes already running go on (see {@link #awaitTermination}). */
  void shutdown() {
    pool.shutdown();
  }

  /** Waits up to {@code timeoutMillis} for running routes to end after {@link #shutdown}, then interrupts them. */
  void awaitTermination(long timeoutMillis) {
    try {
      if (!pool.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}

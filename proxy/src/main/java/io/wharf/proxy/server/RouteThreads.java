package io.wharf.proxy.server;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.wharf.proxy.concurrent.SerialExecutor;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads routes run on, off the event loops: one pool shared by every connection, each
 * connection with its own {@link SerialExecutor} lane on it, so one connection's events run one at
 * a time and in order.
 *
 * <p>Routes block: on the disk (fsync, the synced index write of a commit) and on the upstream (a
 * manifest fetch up to its deadline, a cold blob until the upstream has said its size). A fixed
 * handful of threads with connections pinned to them let a few slow upstream answers hold up every
 * cached pull pinned behind them. So the pool grows a thread per request that is running while
 * none is idle, up to {@link #MAX_THREADS}, and an idle thread ends after a minute: at rest it
 * holds no thread, and a small host pays for the threads only while the upstream keeps them
 * waiting. Past the cap, requests queue.
 */
final class RouteThreads implements RouteLanes {
  /** Enough for every client of a cluster restart to wait on the upstream at once. */
  static final int MAX_THREADS = 256;
  private static final long IDLE_SECONDS = 60;

  private final ThreadPoolExecutor pool;

  RouteThreads() {
    this(MAX_THREADS);
  }

  RouteThreads(int maxThreads) {
    // core = max with core threads timing out: a new thread whenever all are busy (below the cap),
    // none kept at rest; a queue only past the cap
    pool = new ThreadPoolExecutor(maxThreads, maxThreads, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        new DefaultThreadFactory("wharf-route", true));
    pool.allowCoreThreadTimeOut(true);
  }

  @Override
  public Executor lane() {
    return new SerialExecutor(pool);
  }

  /** Threads alive now (busy or idle). */
  int threads() {
    return pool.getPoolSize();
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

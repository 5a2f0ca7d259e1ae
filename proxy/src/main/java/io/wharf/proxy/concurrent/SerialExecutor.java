package io.wharf.proxy.concurrent;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on a shared pool: one fetch's disk writes never overlap, and
 * one connection's requests run in the order they came, while other lanes use the pool's other
 * threads.
 *
 * <p>A task that throws is logged and the lane goes on with the next one: a lane that stopped
 * would leave every later task of its connection or fetch waiting forever.
 */
public final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private final Executor pool;
  private boolean running;

  public SerialExecutor(Executor pool) {
    this.pool = requireNonNull(pool, "pool");
  }

  /**
   * Queues {@code task} behind this lane's earlier ones.
   *
   * @throws java.util.concurrent.RejectedExecutionException when the pool refuses to start the lane
   *     (it is shutting down); the task is dropped
   */
  @Override
  public synchronized void execute(Runnable task) {
    requireNonNull(task, "task");
    tasks.add(task);
    if (!running) {
      running = true;
      try {
        pool.execute(this::drain);
      } catch (RuntimeException e) {
        running = false;
        tasks.clear();
        throw e;
      }
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (Throwable t) {
        log.atError().setCause(t).log("a serial task failed; its lane goes on");
      }
    }
  }
}

package io.wharf.proxy.daemon;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's periodic background work, on one thread of its own so that a slow job (an
 * eviction pass deleting files) never delays request serving or the breakers' probes, and jobs
 * never overlap each other. A job that throws is logged and runs again at its next time.
 *
 * <p>The jobs of issue 5 are registered by {@link Daemon} once storage has them: the access
 * statistics flush ({@code storage.access().flush()} every {@code storage.statsFlushInterval})
 * and the eviction pass (when {@code storage.quota} is set), and the one-off preload import.
 */
public final class BackgroundJobs implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackgroundJobs.class);

  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("wharf-jobs", true));

  /** Runs {@code job} every {@code interval}, the first time one interval from now. */
  public void every(String name, Duration interval, Runnable job) {
    requireNonNull(name, "name");
    requireNonNull(job, "job");
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(() -> run(name, job), millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs {@code job} once, as soon as the thread is free. */
  public void once(String name, Runnable job) {
    requireNonNull(job, "job");
    executor.execute(() -> run(name, job));
  }

  private static void run(String name, Runnable job) {
    try {
      job.run();
    } catch (RuntimeException e) {
      log.atWarn().setCause(e).addKeyValue("job", name).log("background job failed; it runs again at its next time");
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}

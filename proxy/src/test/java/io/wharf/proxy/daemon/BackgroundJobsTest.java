package io.wharf.proxy.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class BackgroundJobsTest {
  @Test
  void aJobThatFailsRunsAgainAtItsNextTime() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch third = new CountDownLatch(3);
    try (BackgroundJobs jobs = new BackgroundJobs()) {
      jobs.every("flaky", Duration.ofMillis(20), () -> {
        runs.incrementAndGet();
        third.countDown();
        throw new IllegalStateException("fails every time");
      });

      assertThat(third.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runs.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aOneOffJobRunsOnceOnTheJobsThread() throws InterruptedException {
    CountDownLatch ran = new CountDownLatch(1);
    String[] thread = new String[1];
    try (BackgroundJobs jobs = new BackgroundJobs()) {
      jobs.once("preload", () -> {
        thread[0] = Thread.currentThread().getName();
        ran.countDown();
      });

      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(thread[0]).startsWith("wharf-jobs");
  }
}

package io.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.Test;

final class ReferenceGuardTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ReferenceGuard guard = new ReferenceGuard(clock);

  @Test
  void aSweepStartsOnlyOnceEveryCommitInProgressHasLanded() throws Exception {
    Lock commit = guard.referencing(List.of("sha256:aa"));
    CompletableFuture<Long> start = CompletableFuture.supplyAsync(guard::settledNow);
    try {
      start.get(200, TimeUnit.MILLISECONDS);
      throw new AssertionError("the sweep started while a commit was in progress");
    } catch (TimeoutException expected) {
      // still waiting for the commit
    }
    clock.advance(Duration.ofSeconds(1));
    commit.unlock();
    assertThat(start.get(5, TimeUnit.SECONDS)).isEqualTo(clock.millis());
  }

  @Test
  void referenceTimesAreTheLatestAndArePrunedPastTheRetention() {
    long t0 = clock.millis();
    guard.referencing(List.of("sha256:aa")).unlock();
    clock.advance(Duration.ofMinutes(1));
    guard.referencing(List.of("sha256:aa", "sha256:bb")).unlock();
    assertThat(guard.referencedAt("sha256:aa")).isEqualTo(t0 + 60_000);
    assertThat(guard.referencedAt("sha256:cc")).isEqualTo(Long.MIN_VALUE);

    // a GC with a two-hour grace asks for two hours; many references make the map walk, and keep
    // what is younger than that
    guard.retainAtLeast(Duration.ofHours(2));
    clock.advance(Duration.ofMinutes(90));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 20_001; i++) {
      many.add("sha256:" + i);
    }
    guard.referencing(many).unlock();
    assertThat(guard.referencedAt("sha256:aa")).isEqualTo(t0 + 60_000);
    // once a retention has passed since that walk, the next reference walks again
    clock.advance(Duration.ofHours(2).plusMinutes(1));
    guard.referencing(List.of("sha256:new")).unlock();
    assertThat(guard.referencedAt("sha256:aa")).isEqualTo(Long.MIN_VALUE);
    assertThat(guard.referencedAt("sha256:0")).isEqualTo(Long.MIN_VALUE);
    assertThat(guard.referencedAt("sha256:new")).isEqualTo(clock.millis());
  }
}

package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Remembered password checks: their lifetime, their keys, and forgetting them. */
final class CredentialCacheTest {
  private static final Principal CI = new Principal("robot$ci", Principal.Kind.ROBOT, Map.of("team", Set.of(Action.PULL)));

  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final CredentialCache cache = new CredentialCache(Duration.ofSeconds(30), clock);

  @Test
  void remembersACheckForTheTtl() {
    cache.put("admin", "s3cret", Principal.admin(), null, cache.generation());

    assertThat(cache.get("admin", "s3cret", clock.instant())).contains(Principal.admin());
    assertThat(cache.get("admin", "other", clock.instant())).isEmpty();
    assertThat(cache.get("robot$admin", "s3cret", clock.instant())).isEmpty();
    clock.advance(Duration.ofSeconds(29));
    assertThat(cache.get("admin", "s3cret", clock.instant())).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get("admin", "s3cret", clock.instant())).isEmpty();
  }

  @Test
  void userAndPasswordAreKeyedApart() {
    cache.put("ab", "c", Principal.admin(), null, cache.generation());

    assertThat(cache.get("a", "bc", clock.instant())).isEmpty();
    assertThat(cache.get("ab", "c", clock.instant())).isPresent();
  }

  @Test
  void aRobotsCheckEndsWithTheRobot() {
    cache.put("robot$ci", "secret", CI, clock.instant().plusSeconds(10), cache.generation());

    assertThat(cache.get("robot$ci", "secret", clock.instant())).contains(CI);
    clock.advance(Duration.ofSeconds(10));
    assertThat(cache.get("robot$ci", "secret", clock.instant())).isEmpty();
  }

  @Test
  void clearForgetsEverythingAndACheckBegunBeforeItIsNotRemembered() {
    cache.put("admin", "old", Principal.admin(), null, cache.generation());
    long before = cache.generation();

    cache.clear();
    cache.put("admin", "old", Principal.admin(), null, before); // a check that raced the reset

    assertThat(cache.get("admin", "old", clock.instant())).isEmpty();
    assertThat(cache.size()).isZero();
    cache.put("admin", "new", Principal.admin(), null, cache.generation());
    assertThat(cache.get("admin", "new", clock.instant())).isPresent();
  }

  @Test
  void aZeroTtlRemembersNothing() {
    CredentialCache none = new CredentialCache(Duration.ZERO, clock);
    none.put("admin", "s3cret", Principal.admin(), null, none.generation());

    assertThat(none.get("admin", "s3cret", clock.instant())).isEmpty();
  }

  @Test
  void holdsABoundedNumberOfChecks() {
    for (int i = 0; i < CredentialCache.MAX_ENTRIES + 500; i++) {
      cache.put("robot$r" + i, "secret", CI, null, cache.generation());
    }

    assertThat(cache.size()).isLessThanOrEqualTo(CredentialCache.MAX_ENTRIES);
  }
}

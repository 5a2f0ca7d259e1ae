package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Failed logins per (address, user): the limit, the window, and the memory bound. */
final class LoginThrottleTest {
  private final TestClock clock = new TestClock(Instant.EPOCH);
  private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(5), clock);

  @Test
  void refusesPastTheLimitUntilTheLockoutHasPassedSinceTheLastFailure() {
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.refusedFor("10.0.0.7", "admin")).as("attempt %d", i + 1).isEmpty();
      throttle.failed("10.0.0.7", "admin");
      clock.advance(Duration.ofSeconds(10));
    }

    assertThat(throttle.refusedFor("10.0.0.7", "admin")).contains(Duration.ofSeconds(290));
    clock.advance(Duration.ofSeconds(289));
    assertThat(throttle.refusedFor("10.0.0.7", "admin")).contains(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(999));
    assertThat(throttle.refusedFor("10.0.0.7", "admin")).contains(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(1));
    assertThat(throttle.refusedFor("10.0.0.7", "admin")).isEmpty();
  }

  @Test
  void countsEachAddressAndUserApart() {
    for (int i = 0; i < 5; i++) {
      throttle.failed("10.0.0.7", "admin");
    }

    assertThat(throttle.refusedFor("10.0.0.7", "admin")).isPresent();
    assertThat(throttle.refusedFor("10.0.0.8", "admin")).isEmpty();
    assertThat(throttle.refusedFor("10.0.0.7", "robot$ci")).isEmpty();
  }

  @Test
  void aSuccessClearsTheCount() {
    for (int i = 0; i < 4; i++) {
      throttle.failed("10.0.0.7", "admin");
    }
    throttle.succeeded("10.0.0.7", "admin");
    for (int i = 0; i < 4; i++) {
      throttle.failed("10.0.0.7", "admin");
    }

    assertThat(throttle.refusedFor("10.0.0.7", "admin")).isEmpty();
  }

  @Test
  void longUserNamesShareAKeyByTheirStart() {
    String prefix = "u".repeat(LoginThrottle.MAX_USER);
    for (int i = 0; i < 5; i++) {
      throttle.failed("10.0.0.7", prefix + i);
    }

    assertThat(throttle.refusedFor("10.0.0.7", prefix + "anything")).isPresent();
  }

  @Test
  void remembersABoundedNumberOfPairs() {
    for (int i = 0; i < LoginThrottle.MAX_ENTRIES * 2; i++) {
      throttle.failed("10.0." + (i >> 8 & 0xff) + "." + (i & 0xff), "user-" + i);
    }

    assertThat(throttle.size()).isLessThanOrEqualTo(LoginThrottle.MAX_ENTRIES);
  }
}

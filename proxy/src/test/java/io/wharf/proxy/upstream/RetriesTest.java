package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RetriesTest {
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(delimiter = '|', nullValues = "null", value = {
    "1                               | PT1S",
    "0                               | PT0S",
    "' 120 '                         | PT2M",
    "Thu, 01 Jan 2026 12:00:30 GMT   | PT30S",
    "Thu, 01 Jan 2026 11:00:00 GMT   | PT0S",
    "soon                            | null",
    "-5                              | null",
    "''                              | null",
    "null                            | null",
  })
  void readsRetryAfter(String value, String expected) {
    Duration d = Retries.parseRetryAfter(value, NOW);

    assertThat(d).isEqualTo(expected == null ? null : Duration.parse(expected));
  }

  @Test
  void readsAbsurdlyLargeRetryAfterAsForever() {
    assertThat(Retries.parseRetryAfter("99999999999999999999999", NOW)).isGreaterThan(Duration.ofDays(365));
  }

  @Test
  void backsOffExponentiallyWithJitterUpToTheCap() {
    Retries r = new Retries(UpstreamClientSettings.DEFAULTS, d -> null, Clock.fixed(NOW, ZoneOffset.UTC));
    for (int n = 0; n < 70; n++) {
      long full = Math.min(5_000, 100L << Math.min(n, 20));
      for (int i = 0; i < 20; i++) {
        assertThat(r.backoff(n)).as("retry %d", n).isBetween(Duration.ofMillis(full / 2), Duration.ofMillis(full));
      }
    }
  }

  @Test
  void retriesOnlyWhatAnotherTryCanFix() {
    assertThat(Retries.isRetryableStatus(429)).isTrue();
    assertThat(Retries.isRetryableStatus(500)).isTrue();
    assertThat(Retries.isRetryableStatus(503)).isTrue();
    assertThat(Retries.isRetryableStatus(404)).isFalse();
    assertThat(Retries.isRetryableStatus(401)).isFalse();
  }
}

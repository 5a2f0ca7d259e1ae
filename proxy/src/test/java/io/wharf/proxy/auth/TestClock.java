package io.wharf.proxy.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock and a Caffeine ticker that tests move together by hand, so no test sleeps out a TTL. */
final class TestClock extends Clock implements Ticker {
  private volatile Instant now;
  private volatile long nanos = 1_000_000_000L;

  TestClock(Instant start) {
    this.now = start;
  }

  void advance(Duration d) {
    now = now.plus(d);
    nanos += d.toNanos();
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public long read() {
    return nanos;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}

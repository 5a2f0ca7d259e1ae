package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an idempotent request again after a {@link RetryableException}, at most {@code retries}
 * times: after {@code Retry-After} when the upstream sent one (up to {@code maxRetryAfter}; a 429
 * asking for longer fails at once), else after an exponential backoff with equal jitter
 * ({@code base * 2^n}, capped, half of it random). Waits go through the injected {@link Sleeper},
 * so no thread is held and tests do not wait.
 */
final class Retries {
  private static final Logger log = LoggerFactory.getLogger(Retries.class);

  private final UpstreamClientSettings settings;
  private final Sleeper sleeper;
  private final Clock clock;

  Retries(UpstreamClientSettings settings, Sleeper sleeper, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.sleeper = requireNonNull(sleeper, "sleeper");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Runs {@code attempt} until it succeeds, fails for good, or retries are spent, completing
   * {@code result}; stops early once {@code result} is done (the caller cancelled).
   *
   * @param what names the request in logs (no secrets: a redacted URL)
   */
  <T> void run(String what, Supplier<CompletableFuture<T>> attempt, CompletableFuture<T> result) {
    attempt(what, 0, attempt, result);
  }

  private <T> void attempt(String what, int retry, Supplier<CompletableFuture<T>> attempt, CompletableFuture<T> result) {
    if (result.isDone()) {
      return;
    }
    CompletableFuture<T> f;
    try {
      f = attempt.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((v, e) -> {
      if (e == null) {
        result.complete(v);
        return;
      }
      Throwable cause = CallHandler.unwrap(e);
      if (!(cause instanceof RetryableException r)) {
        result.completeExceptionally(cause);
        return;
      }
      Duration wait = r.retryAfter() != null ? r.retryAfter() : backoff(retry);
      boolean tooLong = r.retryAfter() != null && wait.compareTo(settings.maxRetryAfter()) > 0;
      if (retry >= settings.retries() || tooLong) {
        result.completeExceptionally(r.failure());
        return;
      }
      log.atInfo()
          .addKeyValue("request", what)
          .addKeyValue("cause", r.failure().detail())
          .addKeyValue("retry", retry + 1)
          .addKeyValue("waitMs", wait.toMillis())
          .log("retrying upstream request");
      CompletableFuture<Void> slept;
      try {
        slept = sleeper.sleep(wait);
      } catch (RuntimeException se) { // the client is closing: its loops take no more timers
        result.completeExceptionally(r.failure());
        return;
      }
      slept.whenComplete((x, se) -> attempt(what, retry + 1, attempt, result));
    });
  }

  /** The wait before retry {@code n} (0 for the first): {@code base * 2^n} capped, the upper half random. */
  Duration backoff(int n) {
    long base = settings.backoffBase().toNanos();
    long max = settings.backoffMax().toNanos();
    long d = n >= 62 || base > (max >> Math.min(n, 62)) ? max : Math.min(max, base << n);
    long half = d / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /** The failure for a status worth another try (429, 5xx), carrying Retry-After when sent. */
  RetryableException retryable(OciException failure, @Nullable String retryAfterHeader) {
    return new RetryableException(failure, parseRetryAfter(retryAfterHeader, clock.instant()));
  }

  /**
   * Reads {@code Retry-After}: delay-seconds or an HTTP-date (RFC 9110 section 10.2.3).
   *
   * @return the wait, never negative; null when absent or unreadable
   */
  static @Nullable Duration parseRetryAfter(@Nullable String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Duration.ofSeconds(Long.parseLong(v));
      } catch (NumberFormatException e) {
        return Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L); // absurdly many digits: forever
      }
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A 429 or a 5xx: worth another try. */
  static boolean isRetryableStatus(int status) {
    return status == 429 || (status >= 500 && status <= 599);
  }
}

package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.wharf.proxy.config.AuthConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * Counts failed logins per (client address, user name) and refuses further attempts once {@code
 * auth.maxFailedLogins} have failed within {@code auth.loginLockout}, so that guessing passwords
 * costs the guesser time and costs wharf no hashing: a refused attempt is answered before any
 * password is looked at.
 *
 * <p>The window runs from the last failure that was counted: refused attempts are not counted (they
 * cost nothing), so a throttled (address, user) may try again {@code loginLockout} after its last
 * real failure. A success clears the count.
 *
 * <p>Memory is bounded: at most {@value #MAX_ENTRIES} (address, user) pairs are remembered, each
 * for {@code loginLockout} after its last failure, and a user name is cut to {@value #MAX_USER}
 * characters in the key. Thread-safe.
 */
public final class LoginThrottle {
  /** The most (address, user) pairs remembered; a few MiB at most. */
  static final int MAX_ENTRIES = 20_000;
  /** User names longer than this share a key by their first characters: more throttling, not less. */
  static final int MAX_USER = 128;

  private record Key(String address, String user) {}

  /** How many failures, and when the last one was (in the ticker's nanoseconds). */
  private record Failures(int count, long lastNanos) {}

  private final int maxFailures;
  private final Duration lockout;
  private final Ticker ticker;
  private final Cache<Key, Failures> failures;

  /**
   * @param maxFailures failures allowed within {@code lockout}; the next attempt is refused
   * @param lockout the window failures are counted in
   * @param ticker the time source (Caffeine's; {@code Ticker.systemTicker()} outside tests)
   */
  public LoginThrottle(int maxFailures, Duration lockout, Ticker ticker) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures " + maxFailures + " is below 1");
    }
    if (lockout.isNegative() || lockout.isZero()) {
      throw new IllegalArgumentException("lockout must be positive");
    }
    this.maxFailures = maxFailures;
    this.lockout = lockout;
    this.ticker = requireNonNull(ticker, "ticker");
    this.failures = Caffeine.newBuilder()
        .maximumSize(MAX_ENTRIES)
        .expireAfterWrite(lockout)
        .ticker(ticker)
        .build();
  }

  /** The throttle of {@code auth.maxFailedLogins} and {@code auth.loginLockout}. */
  public static LoginThrottle of(AuthConfig config) {
    return new LoginThrottle(config.maxFailedLogins(), config.loginLockout(), Ticker.systemTicker());
  }

  /**
   * Whether an attempt by {@code user} from {@code address} is refused now, and for how much
   * longer (at least a second, for {@code Retry-After}).
   */
  public Optional<Duration> refusedFor(String address, String user) {
    Failures f = failures.getIfPresent(key(address, user));
    if (f == null || f.count() < maxFailures) {
      return Optional.empty();
    }
    long left = f.lastNanos() + lockout.toNanos() - ticker.read();
    if (left <= 0) {
      return Optional.empty(); // the window has passed; the cache drops the entry on its own
    }
    long seconds = Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
    return Optional.of(Duration.ofSeconds(seconds));
  }

  /** Counts one failed attempt. */
  public void failed(String address, String user) {
    long now = ticker.read();
    failures.asMap().merge(key(address, user), new Failures(1, now),
        (old, one) -> new Failures(Math.min(old.count(), Integer.MAX_VALUE - 1) + 1, now));
  }

  /** Clears the count after a successful login. */
  public void succeeded(String address, String user) {
    failures.invalidate(key(address, user));
  }

  /** How many (address, user) pairs are remembered now (for tests of the bound). */
  long size() {
    failures.cleanUp();
    return failures.estimatedSize();
  }

  private static Key key(String address, String user) {
    return new Key(address, user.length() > MAX_USER ? user.substring(0, MAX_USER) : user);
  }
}

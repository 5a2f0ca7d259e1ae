package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.auth.AuditLog.Entry;
import io.wharf.proxy.auth.AuditLog.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns Basic credentials into the account they belong to: {@code admin} (checked against {@link
 * AdminPassword}) or a robot ({@code robot$name}, checked by {@link RobotAccounts}).
 *
 * <p>Order, so that a guesser costs no hashing and an honest client costs one hash per cache
 * period: a remembered successful check answers at once ({@link CredentialCache}); then a
 * throttled (address, user) is refused with 429 ({@link LoginThrottle}); only then is the
 * password hashed. Each check that hashes is audited ({@code login} or {@code login_failed}), so
 * a client sending Basic on every request leaves one {@code login} line per cache period.
 *
 * <p>Thread-safe.
 */
public final class Authenticator {
  /** What a successful password check found. */
  public record Login(Principal principal, @Nullable Instant expiresAt) {
    public Login {
      requireNonNull(principal, "principal");
    }
  }

  /** The password check itself, the expensive part (bcrypt). */
  @FunctionalInterface
  public interface PasswordCheck {
    /** The account {@code user} with {@code password} is, unexpired at {@code now}; empty for none. */
    Optional<Login> check(String user, String password, Instant now);

    /**
     * Whether {@code user} names an account, whose check hashes a password. Only such users' failures
     * are counted: a name that matches nothing costs no hashing and has no password to guess, and
     * counting it would let a client evict the counts of real accounts by cycling made-up names.
     */
    default boolean isAccount(String user) {
      return true;
    }
  }

  private static final Pattern UNPRINTABLE = Pattern.compile("[^\\x20-\\x7e]");

  private final PasswordCheck passwords;
  private final LoginThrottle throttle;
  private final CredentialCache cache;
  private final AuditLog audit;
  private final Clock clock;

  public Authenticator(PasswordCheck passwords, LoginThrottle throttle, CredentialCache cache, AuditLog audit, Clock clock) {
    this.passwords = requireNonNull(passwords, "passwords");
    this.throttle = requireNonNull(throttle, "throttle");
    this.cache = requireNonNull(cache, "cache");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The password check of the account stores: {@code admin} against the admin password, {@code
   * robot$...} against the robots; any other user name matches nothing, without hashing.
   */
  public static PasswordCheck accounts(AdminPassword admin, RobotAccounts robots) {
    requireNonNull(admin, "admin");
    requireNonNull(robots, "robots");
    return new PasswordCheck() {
      @Override
      public Optional<Login> check(String user, String password, Instant now) {
        if (user.equals(Principal.ADMIN_NAME)) {
          return admin.matches(password) ? Optional.of(new Login(Principal.admin(), null)) : Optional.empty();
        }
        if (user.startsWith(Robot.PREFIX)) {
          return robots.check(user, password, now).map(r -> new Login(r.principal(), r.expiresAt()));
        }
        return Optional.empty();
      }

      @Override
      public boolean isAccount(String user) {
        return user.equals(Principal.ADMIN_NAME) || robots.exists(user);
      }
    };
  }

  /**
   * The account of these credentials.
   *
   * @param address the client's IP address, for throttling and the audit log
   * @param retryAfter told how long a throttled client must wait, before the 429 is thrown (for
   *     the {@code Retry-After} header)
   * @throws OciException UNAUTHORIZED (401) for wrong credentials, TOOMANYREQUESTS (429) when
   *     (address, user) has failed too often
   */
  public Principal login(BasicCredentials credentials, String address, Consumer<Duration> retryAfter) {
    String user = credentials.user();
    String password = credentials.password();
    Instant now = clock.instant();
    Optional<Principal> remembered = cache.get(user, password, now);
    if (remembered.isPresent()) {
      return remembered.get();
    }
    Optional<Duration> refused = throttle.refusedFor(address, user);
    if (refused.isPresent()) {
      retryAfter.accept(refused.get());
      throw OciException.withStatus(OciError.TOOMANYREQUESTS, 429,
          "too many failed logins for '" + printable(user) + "' from this address; retry in " + refused.get().toSeconds() + "s");
    }
    long generation = cache.generation();
    Optional<Login> login = passwords.check(user, password, now);
    if (login.isEmpty()) {
      if (passwords.isAccount(user)) {
        throttle.failed(address, user);
      }
      audit.record(Entry.of(Event.LOGIN_FAILED, user, address, "bad credentials"));
      throw new OciException(OciError.UNAUTHORIZED, "invalid username or password");
    }
    throttle.succeeded(address, user);
    Principal principal = login.get().principal();
    cache.put(user, password, principal, login.get().expiresAt(), generation);
    audit.record(Entry.of(Event.LOGIN, user, address, "ok"));
    return principal;
  }

  /** Forgets remembered checks: the admin password was reset or a robot deleted. */
  public void credentialsChanged() {
    cache.clear();
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return UNPRINTABLE.matcher(cut).replaceAll("?");
  }
}

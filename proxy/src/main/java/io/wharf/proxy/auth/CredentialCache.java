package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.wharf.proxy.config.AuthConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Remembers successful password checks for {@code auth.credentialCacheTtl}, so that Basic auth on
 * every request (skopeo {@code --creds}, containerd's {@code hosts.toml} auth) costs one bcrypt per
 * period rather than one per request.
 *
 * <p>The key is a SHA-256 of the user name and password, as an HMAC under a random key made when
 * the cache is: neither the password nor a plain hash of it (which a heap dump would let anyone
 * brute-force offline) is ever held. Entries of a robot end at its expiry, and {@link #clear()}
 * forgets everything, which the admin API does when the admin password is reset or a robot is
 * deleted. A TTL of zero remembers nothing. At most {@value #MAX_ENTRIES} entries. Thread-safe.
 */
public final class CredentialCache {
  static final int MAX_ENTRIES = 10_000;
  private static final String HMAC = "HmacSHA256";

  /** A remembered check: who it was, until when the account itself is valid. */
  private record Remembered(Principal principal, @Nullable Instant accountExpiresAt) {}

  private final @Nullable Cache<ByteBuffer, Remembered> checks;
  private final SecretKeySpec key;
  /** One Mac per route thread, keyed once: looking one up costs more than the HMAC of a login. */
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);
  private long generation;

  /**
   * @param ttl how long a check is remembered; zero for never
   * @param ticker the time source (Caffeine's)
   */
  public CredentialCache(Duration ttl, Ticker ticker) {
    requireNonNull(ttl, "ttl");
    requireNonNull(ticker, "ticker");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl cannot be negative");
    }
    this.checks = ttl.isZero()
        ? null
        : Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(ttl).ticker(ticker).build();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, HMAC);
  }

  /** The cache of {@code auth.credentialCacheTtl}. */
  public static CredentialCache of(AuthConfig config) {
    return new CredentialCache(config.credentialCacheTtl(), Ticker.systemTicker());
  }

  /** The account these credentials were found to be, if remembered and the account is still valid at {@code now}. */
  public Optional<Principal> get(String user, String password, Instant now) {
    if (checks == null) {
      return Optional.empty();
    }
    ByteBuffer k = keyOf(user, password);
    Remembered r = checks.getIfPresent(k);
    if (r == null) {
      return Optional.empty();
    }
    if (r.accountExpiresAt() != null && !now.isBefore(r.accountExpiresAt())) {
      checks.invalidate(k);
      return Optional.empty();
    }
    return Optional.of(r.principal());
  }

  /**
   * The current generation: read it before a password check and pass it to {@link #put}, so a
   * check that began before a {@link #clear()} (against the old password) is not remembered.
   */
  public synchronized long generation() {
    return generation;
  }

  /**
   * Remembers a successful check, unless the cache was cleared since {@code generation}.
   *
   * @param accountExpiresAt when the account itself expires (a robot's expiry), or null
   * @param generation {@link #generation()} as read before the check
   */
  public synchronized void put(
      String user, String password, Principal principal, @Nullable Instant accountExpiresAt, long generation) {
    requireNonNull(principal, "principal");
    if (checks != null && generation == this.generation) {
      checks.put(keyOf(user, password), new Remembered(principal, accountExpiresAt));
    }
  }

  /** Forgets every check: after the admin password is reset or a robot is deleted. */
  public synchronized void clear() {
    generation++;
    if (checks != null) {
      checks.invalidateAll();
    }
  }

  /** How many checks are remembered (for tests). */
  long size() {
    if (checks == null) {
      return 0;
    }
    checks.cleanUp();
    return checks.estimatedSize();
  }

  private ByteBuffer keyOf(String user, String password) {
    Mac mac = macs.get(); // doFinal leaves it reset for the next key
    byte[] u = user.getBytes(StandardCharsets.UTF_8);
    // the user's length first, so that ("ab", "c") and ("a", "bc") differ
    mac.update(ByteBuffer.allocate(4).putInt(u.length).array());
    mac.update(u);
    mac.update(password.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(mac.doFinal());
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is in every JDK", e);
    }
  }
}

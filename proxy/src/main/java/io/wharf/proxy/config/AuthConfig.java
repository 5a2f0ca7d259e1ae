package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Accounts and tokens.
 *
 * @param admin the {@code admin} account
 * @param tokenTtl how long a token from {@code /service/token} is valid
 * @param maxFailedLogins failed logins allowed per (client address, user name) within {@code
 *     loginLockout}; past it further attempts are refused before any password is hashed
 * @param loginLockout the window failed logins are counted in, and how long a throttled
 *     (address, user) stays refused
 * @param credentialCacheTtl how long a successful password check is remembered, so Basic auth on
 *     every request does not hash on every request; 0 remembers none
 */
public record AuthConfig(
    AdminAccountConfig admin,
    Duration tokenTtl,
    int maxFailedLogins,
    Duration loginLockout,
    Duration credentialCacheTtl) {
  public AuthConfig {
    requireNonNull(admin, "admin");
    requireNonNull(tokenTtl, "tokenTtl");
    requireNonNull(loginLockout, "loginLockout");
    requireNonNull(credentialCacheTtl, "credentialCacheTtl");
    if (tokenTtl.isNegative() || tokenTtl.isZero()) {
      throw ConfigException.forKey("tokenTtl", "must be positive");
    }
    if (maxFailedLogins < 1) {
      throw ConfigException.forKey("maxFailedLogins", maxFailedLogins + " is below 1");
    }
    if (loginLockout.isNegative() || loginLockout.isZero()) {
      throw ConfigException.forKey("loginLockout", "must be positive");
    }
    if (credentialCacheTtl.isNegative()) {
      throw ConfigException.forKey("credentialCacheTtl", "cannot be negative");
    }
  }
}

package io.wharf.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * The {@code admin} account.
 *
 * @param password the admin password set by the operator (better through {@code
 *     WHARF_AUTH_ADMIN_PASSWORD}); it then wins at every start and {@code wharf admin password
 *     --reset} refuses. Null (or empty): generated on first start and kept in {@code
 *     <storage.path>/admin-password}. Never printed
 */
public record AdminAccountConfig(@Nullable String password) {
  public AdminAccountConfig {
    password = password == null || password.isEmpty() ? null : password;
  }

  /** Whether the config sets the password (and so owns it). */
  public boolean passwordFromConfig() {
    return password != null;
  }

  @Override
  public String toString() {
    return "AdminAccountConfig[password=" + (password == null ? "null" : "<redacted>") + "]";
  }
}

package io.wharf.proxy.cli;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.Principal;
import io.wharf.proxy.config.WharfConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How the CLI logs in to the daemon's admin API: as {@code admin}, with {@code auth.admin.password}
 * from the config (or {@code WHARF_AUTH_ADMIN_PASSWORD}) when set, else the generated password in
 * {@code <storage.path>/admin-password}; or with nothing, and a message saying why, when neither
 * is there (or the file cannot be read by this user).
 *
 * @param password the admin password, or null when none was found
 * @param source where it came from ({@code auth.admin.password}, the file's path), or why there is
 *     none
 */
record AdminLogin(@Nullable String password, String source) {
  /** The admin login the CLI has with {@code config}. */
  static AdminLogin of(WharfConfig config) {
    String configured = config.auth().admin().password();
    if (configured != null) {
      return new AdminLogin(configured, "auth.admin.password");
    }
    Path data = config.storage().path();
    Path file = AdminPassword.passwordFile(data);
    Optional<String> kept;
    try {
      kept = AdminPassword.readPasswordFile(data);
    } catch (OciException unreadable) {
      return new AdminLogin(null, unreadable.getMessage() + " (run this as the user wharf runs as)");
    }
    return kept.map(p -> new AdminLogin(p, file.toString()))
        .orElseGet(() -> new AdminLogin(null, "the config sets no auth.admin.password (WHARF_AUTH_ADMIN_PASSWORD)"
            + " and there is no " + file));
  }

  /** The {@code Authorization} header value, or null without a password. */
  @Nullable String authorization() {
    if (password == null) {
      return null;
    }
    String pair = Principal.ADMIN_NAME + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** Why the daemon at {@code where} answered 401 to this login. */
  OciException refusedBy(String where) {
    if (password == null) {
      return new OciException(OciError.UNAUTHORIZED, "the daemon at " + where + " needs the admin password, and "
          + source + ": give this command the daemon's config (--config) and environment");
    }
    return new OciException(OciError.UNAUTHORIZED, "the daemon at " + where + " refused the admin password from "
        + source + " (was it reset, or changed in the daemon's config?)");
  }

  @Override
  public String toString() {
    return "AdminLogin[password=" + (password == null ? "null" : "<redacted>") + ", source=" + source + "]";
  }
}

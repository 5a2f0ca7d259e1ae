package io.wharf.proxy;

import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.AuditLog;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.AdminAccountConfig;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;

/**
 * The real access layer for tests that build {@code Routes} themselves: the admin password {@link
 * #ADMIN_PASSWORD} (as {@code auth.admin.password} would set it), no robots, the audit log in the
 * data folder. Tests log in with {@link #adminBasic()}.
 */
public final class TestAccess {
  /** The admin password of every in-process test wharf. */
  public static final String ADMIN_PASSWORD = "test-admin-password";

  private TestAccess() {}

  /** The access control of {@code config} with the test admin password, its files in {@code dataRoot}. */
  public static AccessControl create(WharfConfig config, Path dataRoot) {
    AdminPassword admin = AdminPassword.open(dataRoot, new AdminAccountConfig(ADMIN_PASSWORD), new PrintStream(OutputStream.nullOutputStream()));
    return AccessControl.create(config, admin, RobotAccounts.open(dataRoot), AuditLog.open(dataRoot, Clock.systemUTC()), Clock.systemUTC());
  }

  /** {@code Authorization} for the admin: {@code Basic base64(admin:<password>)}. */
  public static String adminBasic() {
    return basic("admin", ADMIN_PASSWORD);
  }

  /** {@code Authorization} for any user and password. */
  public static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}

package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.config.AdminAccountConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code admin} account's password, kept in two files of the data folder (both mode 0600):
 *
 * <ul>
 *   <li>{@code admin-password.hash}: its bcrypt hash, what logins are checked against; always
 *       present after the first start.
 *   <li>{@code admin-password}: the password itself, plain text and a newline, only when wharf
 *       generated it, so that {@code wharf admin password --show} and the CLI's own logins can
 *       read it back.
 * </ul>
 *
 * <p>{@code auth.admin.password} in the config (or {@code WHARF_AUTH_ADMIN_PASSWORD}) owns the
 * password when set: it wins at every start and {@link #reset()} refuses.
 *
 * <p>Thread-safe: logins read the current hash while a reset replaces it.
 */
public final class AdminPassword {
  private static final Logger log = LoggerFactory.getLogger(AdminPassword.class);
  static final String PASSWORD_FILE = "admin-password";
  static final String HASH_FILE = "admin-password.hash";

  private final Path dataRoot;
  private final boolean fromConfig;
  private volatile String hash;

  private AdminPassword(Path dataRoot, boolean fromConfig, String hash) {
    this.dataRoot = dataRoot;
    this.fromConfig = fromConfig;
    this.hash = hash;
  }

  /**
   * Start-up: the config's password wins (its hash rewritten when it differs, the plain file
   * removed if present); otherwise the kept hash is used (re-made from the plain file if only that
   * survived); otherwise a new password is generated, written (0600) and printed once to {@code
   * firstStartOut} (standard error in the daemon), never through the logger, which logs only the
   * file's path.
   *
   * @throws OciException UNKNOWN when a file cannot be read or written, or the hash file holds no
   *     bcrypt hash
   */
  public static AdminPassword open(Path dataRoot, AdminAccountConfig config, PrintStream firstStartOut) {
    requireNonNull(dataRoot, "dataRoot");
    requireNonNull(config, "config");
    requireNonNull(firstStartOut, "firstStartOut");
    Path passwordFile = passwordFile(dataRoot);
    Path hashFile = hashFile(dataRoot);
    SecretFiles.removeLeftovers(passwordFile);
    SecretFiles.removeLeftovers(hashFile);
    Optional<String> keptHash = readHash(hashFile);
    String configured = config.password();
    if (configured != null) {
      String hash = keptHash.filter(h -> PasswordHasher.matches(configured, h)).orElse(null);
      if (hash == null) {
        hash = PasswordHasher.hash(configured);
        SecretFiles.write(hashFile, hash + "\n");
      }
      SecretFiles.delete(passwordFile); // a generated password no longer logs in: do not keep it
      log.atInfo().addKeyValue("hashFile", hashFile)
          .log("admin password set by config (auth.admin.password)");
      return new AdminPassword(dataRoot, true, hash);
    }
    if (SecretFiles.tightenMode(passwordFile)) {
      log.atWarn().addKeyValue("file", passwordFile).log("the admin password file was readable by others: mode set to 0600");
    }
    if (keptHash.isPresent()) {
      SecretFiles.tightenMode(hashFile);
      log.atInfo().addKeyValue("hashFile", hashFile).log("admin password: the one kept in the data folder");
      return new AdminPassword(dataRoot, false, keptHash.get());
    }
    Optional<String> kept = readPasswordFile(dataRoot);
    if (kept.isPresent()) {
      // the hash file was lost (or a start stopped between the two writes): the password stays
      String hash = PasswordHasher.hash(kept.get());
      SecretFiles.write(hashFile, hash + "\n");
      log.atInfo().addKeyValue("file", passwordFile).log("admin password: the one kept in the data folder (hash re-made)");
      return new AdminPassword(dataRoot, false, hash);
    }
    String password = PasswordHasher.generate();
    String hash = store(dataRoot, password);
    firstStartOut.println();
    firstStartOut.println("wharf: generated the admin password (user admin): " + password);
    firstStartOut.println("wharf: it is kept in " + passwordFile.toAbsolutePath()
        + " (mode 0600); read it back with `wharf admin password --show`");
    firstStartOut.println();
    firstStartOut.flush();
    log.atInfo().addKeyValue("file", passwordFile.toAbsolutePath())
        .log("admin password generated on first start (printed once to standard error, not logged)");
    return new AdminPassword(dataRoot, false, hash);
  }

  /** Whether {@code password} is the admin password. Takes a bcrypt check (tens of ms). */
  public boolean matches(String password) {
    return PasswordHasher.matches(password, hash);
  }

  /**
   * A new generated password, kept in both files and effective at once (the old one fails from
   * now; callers caching successful logins must forget them).
   *
   * @throws OciException DENIED (403) when the config owns the password
   */
  public synchronized String reset() {
    if (fromConfig) {
      throw new OciException(OciError.DENIED,
          "the admin password is set by config (auth.admin.password or WHARF_AUTH_ADMIN_PASSWORD): change it there");
    }
    String password = PasswordHasher.generate();
    this.hash = store(dataRoot, password);
    log.atInfo().addKeyValue("file", passwordFile(dataRoot).toAbsolutePath()).log("admin password reset");
    return password;
  }

  /**
   * Sets a new generated password in a data folder no daemon has open (the CLI's {@code --reset}
   * when no daemon answers).
   *
   * @throws OciException DENIED when {@code config} owns the password
   */
  public static String resetOffline(Path dataRoot, AdminAccountConfig config) {
    if (config.passwordFromConfig()) {
      throw new OciException(OciError.DENIED,
          "the admin password is set by config (auth.admin.password or WHARF_AUTH_ADMIN_PASSWORD): change it there");
    }
    String password = PasswordHasher.generate();
    store(dataRoot, password);
    return password;
  }

  /** Whether the config owns the password (and {@link #reset()} refuses). */
  public boolean fromConfig() {
    return fromConfig;
  }

  /** {@code <data>/admin-password}: the generated password, plain text. */
  public static Path passwordFile(Path dataRoot) {
    return dataRoot.resolve(PASSWORD_FILE);
  }

  /** {@code <data>/admin-password.hash}: the bcrypt hash logins are checked against. */
  public static Path hashFile(Path dataRoot) {
    return dataRoot.resolve(HASH_FILE);
  }

  /**
   * The generated password from {@code <data>/admin-password} (its first line), for {@code --show}
   * and the CLI's logins; empty when there is no such file (or it is empty).
   *
   * @throws OciException UNKNOWN when it exists but cannot be read (permissions)
   */
  public static Optional<String> readPasswordFile(Path dataRoot) {
    return SecretFiles.read(passwordFile(dataRoot))
        .map(text -> text.lines().findFirst().orElse("").strip())
        .filter(p -> !p.isEmpty());
  }

  // plain file first: a crash between the writes leaves a password the next start re-hashes
  private static String store(Path dataRoot, String password) {
    String hash = PasswordHasher.hash(password);
    SecretFiles.write(passwordFile(dataRoot), password + "\n");
    SecretFiles.write(hashFile(dataRoot), hash + "\n");
    return hash;
  }

  private static Optional<String> readHash(Path hashFile) {
    Optional<String> text = SecretFiles.read(hashFile).map(String::strip);
    if (text.isPresent() && !PasswordHasher.looksLikeHash(text.get())) {
      throw new OciException(OciError.UNKNOWN, hashFile + " holds no bcrypt hash ($2y$10$ and 53 characters);"
          + " delete it (and admin-password) to generate a new admin password, or set auth.admin.password");
    }
    return text;
  }
}

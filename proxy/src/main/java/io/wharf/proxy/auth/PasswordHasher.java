package io.wharf.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt for the admin password and robot secrets (BouncyCastle's {@link OpenBSDBCrypt}, cost 10,
 * {@code $2y$}: about 50 to 80 ms a check, which is why successful checks are cached), and the
 * generator of new passwords and secrets.
 *
 * <p>bcrypt reads at most 72 bytes and silently ignores the rest; a secret longer than that in UTF-8
 * is hashed as the Base64 of its SHA-256 instead, so every byte of a long configured password
 * counts. Both {@link #hash} and {@link #matches} do the same, so it is invisible to callers.
 */
public final class PasswordHasher {
  /** bcrypt's work factor: 2^10 rounds. */
  static final int COST = 10;
  /** Length of {@link #generate()}'s passwords: 24 base62 characters, about 143 bits. */
  static final int GENERATED_LENGTH = 24;
  private static final int BCRYPT_MAX_BYTES = 72;
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHasher() {}

  /** A new bcrypt hash of {@code secret} with a random salt: {@code $2y$10$...}, 60 characters. */
  public static String hash(String secret) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", bcryptInput(secret), salt, COST);
  }

  /** Whether {@code secret} is the one {@code hash} was made from; false for a malformed hash. */
  public static boolean matches(String secret, String hash) {
    try {
      return OpenBSDBCrypt.checkPassword(hash, bcryptInput(secret));
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /** Whether {@code text} has the shape of a hash {@link #hash} writes (any bcrypt version). */
  public static boolean looksLikeHash(String text) {
    return text.matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  }

  /** A new random password or secret: 24 characters of [0-9A-Za-z] from a {@link SecureRandom}. */
  public static String generate() {
    StringBuilder out = new StringBuilder(GENERATED_LENGTH);
    for (int i = 0; i < GENERATED_LENGTH; i++) {
      out.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  private static char[] bcryptInput(String secret) {
    byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= BCRYPT_MAX_BYTES) {
      return secret.toCharArray();
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(utf8);
      return Base64.getEncoder().encodeToString(digest).toCharArray();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user name and password of an {@code Authorization: Basic} header (RFC 7617), UTF-8. Never
 * printed: {@link #toString()} shows the user only.
 *
 * @param user the account name ({@code admin}, {@code robot$ci}); at most {@value #MAX_USER}
 *     characters
 * @param password the password or robot secret; at most {@value #MAX_PASSWORD} characters
 */
public record BasicCredentials(String user, String password) {
  static final int MAX_USER = 256;
  static final int MAX_PASSWORD = 1024;
  /** The base64 of the longest user and password, with room. */
  private static final int MAX_ENCODED = 4 * (MAX_USER * 4 + MAX_PASSWORD * 4 + 1) / 3 + 4;

  public BasicCredentials {
    requireNonNull(user, "user");
    requireNonNull(password, "password");
  }

  /**
   * Parses the credentials after {@code Basic }.
   *
   * @throws OciException UNAUTHORIZED when they are not base64 of UTF-8 {@code user:password}, the
   *     user is empty, or either is too long or holds a control character
   */
  public static BasicCredentials parse(String encoded) {
    String text = encoded.strip();
    if (text.isEmpty() || text.length() > MAX_ENCODED) {
      throw malformed();
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed();
    }
    String decoded;
    try {
      decoded = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw malformed();
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw malformed();
    }
    return of(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /**
   * Credentials given apart (the token endpoint's OAuth2 form), held to what {@link #parse}
   * accepts: a user that Basic could carry (not empty, no colon).
   *
   * @throws OciException UNAUTHORIZED as {@link #parse} does
   */
  public static BasicCredentials of(String user, String password) {
    if (user.isEmpty() || user.indexOf(':') >= 0 || user.length() > MAX_USER || password.length() > MAX_PASSWORD
        || hasControl(user) || hasControl(password)) {
      throw malformed();
    }
    return new BasicCredentials(user, password);
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  private static OciException malformed() {
    return new OciException(OciError.UNAUTHORIZED, "malformed Basic credentials");
  }

  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + ", password=<redacted>]";
  }
}

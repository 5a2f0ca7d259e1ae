package io.wharf.oci;

import static java.util.Objects.requireNonNull;

/**
 * A content digest, {@code algorithm:hex}, validated: a registered algorithm (sha256, sha512) and
 * exactly its number of lowercase hex characters.
 *
 * <p>Only validated digests exist, so a digest is always safe to use as a file name component.
 */
public record Digest(DigestAlgorithm algorithm, String hex) implements Comparable<Digest> {
  /** The longest text {@link #parse} looks at; anything longer is invalid without scanning it. */
  private static final int MAX_LENGTH = 7 + 128;

  public Digest {
    requireNonNull(algorithm, "algorithm");
    requireNonNull(hex, "hex");
    if (!isLowerHex(hex, algorithm.hexLength())) {
      throw new IllegalArgumentException("not " + algorithm.hexLength() + " lowercase hex: " + hex);
    }
  }

  /**
   * Parses untrusted text such as {@code sha256:ab12...}.
   *
   * @throws OciException {@link OciError#DIGEST_INVALID} when the text is not a valid digest
   */
  public static Digest parse(String text) {
    if (text == null || text.length() > MAX_LENGTH) {
      throw invalid(text);
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw invalid(text);
    }
    DigestAlgorithm algorithm =
        DigestAlgorithm.find(text.substring(0, colon)).orElseThrow(() -> invalid(text));
    String hex = text.substring(colon + 1);
    if (!isLowerHex(hex, algorithm.hexLength())) {
      throw invalid(text);
    }
    return new Digest(algorithm, hex);
  }

  /** Whether the text is a valid digest, without building one. */
  public static boolean isDigest(String text) {
    try {
      parse(text);
      return true;
    } catch (OciException e) {
      return false;
    }
  }

  /** The sha256 digest of these bytes. */
  public static Digest sha256Of(byte[] bytes) {
    Digester d = Digester.of(DigestAlgorithm.SHA256);
    d.update(bytes, 0, bytes.length);
    return d.digest();
  }

  /** The first two hex characters, the fan-out folder of the distribution layout. */
  public String prefix() {
    return hex.substring(0, 2);
  }

  @Override
  public String toString() {
    return algorithm.label() + ":" + hex;
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  private static OciException invalid(String text) {
    String shown = text == null ? "null" : text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return new OciException(OciError.DIGEST_INVALID, "invalid digest: " + shown);
  }

  private static boolean isLowerHex(String s, int length) {
    if (s.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}

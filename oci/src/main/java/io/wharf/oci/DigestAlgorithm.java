package io.wharf.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** The digest algorithms the OCI image spec registers: their names, hex lengths and hashers. */
public enum DigestAlgorithm {
  SHA256("sha256", 64, "SHA-256"),
  SHA512("sha512", 128, "SHA-512");

  private final String label;
  private final int hexLength;
  private final String jcaName;

  DigestAlgorithm(String label, int hexLength, String jcaName) {
    this.label = label;
    this.hexLength = hexLength;
    this.jcaName = jcaName;
  }

  /** The name as written in a digest, e.g. {@code sha256}. */
  public String label() {
    return label;
  }

  /** The number of lowercase hex characters of an encoded digest. */
  public int hexLength() {
    return hexLength;
  }

  /** A fresh JCA hasher for this algorithm. */
  public MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without " + jcaName, e);
    }
  }

  /** The algorithm with this label, if it is one the spec registers. */
  public static Optional<DigestAlgorithm> find(String label) {
    for (DigestAlgorithm a : values()) {
      if (a.label.equals(label)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}

package io.wharf.proxy.tls;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A certificate chain (leaf first) and the private key of its leaf: what a TLS server presents.
 * {@link #toString()} describes the certificate and never shows the key.
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
  public CertifiedKey {
    chain = List.copyOf(chain);
    requireNonNull(key, "key");
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least its leaf");
    }
  }

  /** The certificate naming this server, the first of the chain. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's subject, as RFC 2253 writes it ({@code CN=node-1}). */
  public String subject() {
    return leaf().getSubjectX500Principal().getName();
  }

  /**
   * The SHA-256 of the leaf's DER encoding, upper-case hex pairs joined by colons, as {@code
   * openssl x509 -fingerprint -sha256} prints it.
   */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint a parsed certificate", e);
    }
  }

  /**
   * The leaf's subject alternative names, {@code DNS:name} and {@code IP:address} as openssl
   * prints them (other kinds as {@code <type>:<value>}), in certificate order.
   */
  public List<String> subjectAltNames() {
    return subjectAltNames(leaf());
  }

  static List<String> subjectAltNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      var entries = certificate.getSubjectAlternativeNames();
      if (entries == null) {
        return names;
      }
      for (List<?> entry : entries) {
        int type = (Integer) entry.get(0);
        Object value = entry.get(1);
        names.add(switch (type) {
          case 2 -> "DNS:" + value;
          case 7 -> "IP:" + IpLiterals.normalize(String.valueOf(value));
          default -> type + ":" + value;
        });
      }
      return names;
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("unreadable subject alternative names: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@link #key()} is the private half of the leaf's public key: a signature made with it
   * verifies against the certificate.
   *
   * @throws IllegalArgumentException for a key type a TLS server cannot use (neither RSA, EC nor
   *     Ed25519)
   */
  public boolean keyMatchesLeaf() {
    String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "ED25519", "EDDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException(
          "unsupported key type " + key.getAlgorithm() + " (RSA, EC or Ed25519)");
    };
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf().getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // a key of another type than the certificate's, or of another curve: not its pair
      return false;
    }
  }

  @Override
  public String toString() {
    return "CertifiedKey[subject=" + subject() + ", sans=" + subjectAltNames()
        + ", sha256=" + fingerprint() + ", chain=" + chain.size() + "]";
  }
}

package io.wharf.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.tls.Pem.PemException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The operator's certificate and key ({@code server.https.certFile} and {@code keyFile}): read
 * and checked as a pair, and stamped so that a change on disk can be noticed cheaply (two stats).
 */
final class OperatorCertificate {
  static final String CERT_KEY = "server.https.certFile";
  static final String KEY_KEY = "server.https.keyFile";

  private final Path certFile;
  private final Path keyFile;

  OperatorCertificate(Path certFile, Path keyFile) {
    this.certFile = requireNonNull(certFile, "certFile");
    this.keyFile = requireNonNull(keyFile, "keyFile");
  }

  Path certFile() {
    return certFile;
  }

  Path keyFile() {
    return keyFile;
  }

  /**
   * What the files are now, as far as a change goes: identity (a file replaced by a rename, or a
   * Kubernetes secret's symlink swapped, is another file), modification time and size, of both.
   * Read through symbolic links. Null fields for a file that cannot be stat'ed.
   */
  record Stamp(@Nullable Object certId, @Nullable FileTime certTime, long certSize,
      @Nullable Object keyId, @Nullable FileTime keyTime, long keySize) {}

  Stamp stamp() {
    BasicFileAttributes cert = attributes(certFile);
    BasicFileAttributes key = attributes(keyFile);
    return new Stamp(
        cert == null ? null : Objects.requireNonNullElse(cert.fileKey(), certFile),
        cert == null ? null : cert.lastModifiedTime(),
        cert == null ? -1 : cert.size(),
        key == null ? null : Objects.requireNonNullElse(key.fileKey(), keyFile),
        key == null ? null : key.lastModifiedTime(),
        key == null ? -1 : key.size());
  }

  private static @Nullable BasicFileAttributes attributes(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Reads both files and checks that the key is the certificate's.
   *
   * @throws ConfigException naming the key and the file at fault: unreadable, not PEM, encrypted,
   *     or a key that is not the certificate's
   */
  CertifiedKey load() {
    List<X509Certificate> chain;
    try {
      chain = Pem.readCertificates(certFile);
    } catch (PemException e) {
      throw ConfigException.forKey(CERT_KEY, "'" + certFile + "' " + e.getMessage());
    }
    PrivateKey key;
    try {
      key = Pem.readPrivateKey(keyFile);
    } catch (PemException e) {
      throw ConfigException.forKey(KEY_KEY, "'" + keyFile + "' " + e.getMessage());
    }
    CertifiedKey pair = new CertifiedKey(chain, key);
    boolean matches;
    try {
      matches = pair.keyMatchesLeaf();
    } catch (IllegalArgumentException e) {
      throw ConfigException.forKey(KEY_KEY, "'" + keyFile + "' holds an " + e.getMessage());
    }
    if (!matches) {
      throw ConfigException.forKey(KEY_KEY, "'" + keyFile + "' is not the private key of the certificate in '"
          + certFile + "' (" + CERT_KEY + ", its first certificate: " + pair.subject() + ")");
    }
    return pair;
  }
}

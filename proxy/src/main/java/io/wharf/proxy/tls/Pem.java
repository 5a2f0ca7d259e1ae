package io.wharf.proxy.tls;

import io.wharf.storage.layout.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM files of certificates and private keys, read with BouncyCastle's parser (so a key may be
 * PKCS#8, {@code BEGIN PRIVATE KEY}, or traditional, {@code BEGIN RSA/EC PRIVATE KEY}) and written
 * atomically.
 *
 * <p>Reading failures are {@link PemException}s with a message fit for an operator; the caller
 * adds which file and which config key.
 */
final class Pem {
  /** Owner read and write only: what a private key file gets. */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private Pem() {}

  /** A PEM file that cannot be used, with the reason. */
  static final class PemException extends Exception {
    private static final long serialVersionUID = 1L;

    PemException(String message) {
      super(message);
    }

    PemException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Every certificate of a PEM file, in file order (a chain: leaf first); at least one. */
  static List<X509Certificate> readCertificates(Path file) throws PemException {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException e) {
      throw new PemException(unreadable(e), e);
    } catch (CertificateException e) {
      throw new PemException("holds a certificate that cannot be parsed: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /** The one private key of a PEM file, PKCS#8 or traditional (RSA, EC); never encrypted. */
  static PrivateKey readPrivateKey(Path file) throws PemException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          // a traditional EC key may leave out its public half, which the pair conversion needs
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        } else if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new PemException("holds an encrypted private key: give it unencrypted"
              + " (openssl pkey -in KEY -out KEY.plain), readable by wharf only");
        }
        // anything else (EC PARAMETERS before an openssl ecparam key, a certificate) is skipped
      }
    } catch (PEMException e) {
      throw new PemException("holds a private key that cannot be parsed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new PemException(unreadable(e), e);
    }
    throw new PemException("holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  /** Certificates as PEM text, in order. */
  static String encodeCertificates(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        writer.writeObject(c);
      }
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return out.toString();
  }

  /** A private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  static String encodePrivateKey(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Writes {@code text} to {@code target} atomically and durably (a temp file beside it, fsynced,
   * renamed into place, the directory fsynced), the temp file created with {@code permissions}
   * from the start, so a key is never readable by others, not even for a moment.
   */
  static void writeAtomically(Path target, String text, Set<PosixFilePermission> permissions) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    AtomicFiles.createDirectories(dir);
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(permissions);
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode)) {
        ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      // the umask may have narrowed the mode at creation: set it exactly (never wider than asked)
      Files.setPosixFilePermissions(temp, permissions);
      AtomicFiles.move(temp, target); // fsyncs the directory
      moved = true;
    } finally {
      if (!moved) {
        AtomicFiles.deleteQuietly(temp);
      }
    }
  }

  private static String unreadable(IOException e) {
    if (e instanceof FileSystemException) {
      // missing, a directory, or not ours to read: the exception's name says which
      return "cannot be read: " + e.getClass().getSimpleName()
          + (((FileSystemException) e).getReason() == null ? "" : " (" + ((FileSystemException) e).getReason() + ")");
    }
    return "is not valid PEM: " + e.getMessage();
  }
}

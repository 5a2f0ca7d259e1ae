package io.wharf.proxy.tls;

import io.wharf.proxy.tls.Pem.PemException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The self-signed certificate kept in {@code <storage.path>/tls/}: {@code server.crt} and {@code
 * server.key} (0600). Generated on first start and reused on every later one, so that clients
 * trusting it keep trusting it; generated again only when a file is missing or unreadable, the key
 * is not the certificate's, the certificate has expired, or it lacks a name of {@code
 * server.https.sans} (added since). Each regeneration is logged with its reason.
 */
final class KeptCertificate {
  private static final Logger log = LoggerFactory.getLogger(KeptCertificate.class);

  static final String DIRECTORY = "tls";
  static final String CERTIFICATE = "server.crt";
  static final String KEY = "server.key";

  private KeptCertificate() {}

  /** {@code <dataRoot>/tls/server.crt}. */
  static Path certificateFile(Path dataRoot) {
    return dataRoot.resolve(DIRECTORY).resolve(CERTIFICATE);
  }

  /** {@code <dataRoot>/tls/server.key}. */
  static Path keyFile(Path dataRoot) {
    return dataRoot.resolve(DIRECTORY).resolve(KEY);
  }

  /**
   * The kept certificate, or a new one made for {@code names} and kept.
   *
   * @param configuredSans {@code server.https.sans}, which a kept certificate must all carry
   * @param names the names of a new certificate, asked only when one is made
   * @throws UncheckedIOException when a new certificate cannot be written
   */
  static CertifiedKey open(Path dataRoot, Collection<String> configuredSans, Supplier<SubjectNames> names, Clock clock) {
    Path certFile = certificateFile(dataRoot);
    Path keyFile = keyFile(dataRoot);
    Instant now = clock.instant();
    @Nullable String reason;
    if (!Files.exists(certFile) && !Files.exists(keyFile)) {
      reason = null; // first start
    } else {
      Optional<String> unusable;
      @Nullable CertifiedKey kept = null;
      String reading = CERTIFICATE;
      try {
        var chain = Pem.readCertificates(certFile);
        reading = KEY;
        kept = new CertifiedKey(chain, Pem.readPrivateKey(keyFile));
        unusable = unusable(kept, configuredSans, now);
      } catch (PemException | RuntimeException e) {
        unusable = Optional.of(reading + " " + e.getMessage());
      }
      if (unusable.isEmpty()) {
        log.atDebug().addKeyValue("certificate", certFile).log("reusing the kept self-signed certificate");
        return kept;
      }
      reason = unusable.get();
    }
    CertifiedKey generated = SelfSignedCertificate.generate(names.get(), now);
    try {
      // the key first: a crash between the two leaves a certificate that does not match it, which
      // the next start notices and replaces
      Pem.writeAtomically(keyFile, Pem.encodePrivateKey(generated.key()), Pem.OWNER_ONLY);
      Pem.writeAtomically(certFile, Pem.encodeCertificates(generated.chain()), PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException | UncheckedIOException e) {
      throw new UncheckedIOException(
          "cannot keep the self-signed HTTPS certificate in " + certFile.getParent() + ": " + e.getMessage(),
          e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
    }
    if (reason == null) {
      log.atInfo().addKeyValue("certificate", certFile).log("generated a self-signed HTTPS certificate (first start)");
    } else {
      log.atWarn().addKeyValue("certificate", certFile)
          .log("generated a new self-signed HTTPS certificate: the kept one was replaced because " + reason
              + "; clients that trusted the old one must be given the new one");
    }
    return generated;
  }

  /** Why a kept certificate cannot be served any more; empty when it can. */
  private static Optional<String> unusable(CertifiedKey kept, Collection<String> configuredSans, Instant now) {
    if (!kept.keyMatchesLeaf()) {
      return Optional.of("its key (" + KEY + ") is not the certificate's");
    }
    X509Certificate leaf = kept.leaf();
    if (!leaf.getNotAfter().toInstant().isAfter(now)) {
      return Optional.of("it expired on " + leaf.getNotAfter().toInstant());
    }
    List<String> has = kept.subjectAltNames();
    List<String> missing = SubjectNames.asSubjectAltNames(configuredSans).stream().filter(n -> !has.contains(n)).toList();
    if (!missing.isEmpty()) {
      return Optional.of("server.https.sans lists names it lacks: " + missing);
    }
    return Optional.empty();
  }
}

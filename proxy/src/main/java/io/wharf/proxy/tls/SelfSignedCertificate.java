package io.wharf.proxy.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the certificate wharf serves when the operator gives none: EC P-256, signed by itself
 * with SHA256withECDSA, valid ten years, its common name the host name and its subject
 * alternative names every name clients may dial.
 *
 * <p>It is its own authority: a client trusts it by holding this very certificate as a CA (skopeo's
 * {@code --cert-dir}, containerd's {@code ca}), so it is marked as an end entity for TLS servers
 * (not a CA: it can sign nothing else).
 */
final class SelfSignedCertificate {
  /** How long a generated certificate is valid. */
  static final Duration VALIDITY = Duration.ofDays(3650);
  /** Backdating, so that a client whose clock is a little behind accepts it at once. */
  static final Duration BACKDATE = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSignedCertificate() {}

  /** A new key pair and a certificate for {@code names}, valid from about {@code now}. */
  static CertifiedKey generate(SubjectNames names, Instant now) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
          .addRDN(BCStyle.CN, names.hostName())
          .addRDN(BCStyle.O, "wharf")
          .build();
      // positive, at most 20 octets (RFC 5280 4.1.2.2), and never reused
      BigInteger serial = new BigInteger(159, RANDOM).setBit(0);
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          subject, serial, Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
      builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(pair.getPublic()));
      builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(names));
      X509Certificate certificate = new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      return new CertifiedKey(List.of(certificate), pair.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      // P-256 and ECDSA are in every JDK: this is a broken runtime, not a bad input
      throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getMessage(), e);
    }
  }

  private static GeneralNames subjectAltNames(SubjectNames names) {
    List<GeneralName> entries = new ArrayList<>();
    for (String dns : names.dnsNames()) {
      entries.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress address : names.addresses()) {
      entries.add(new GeneralName(GeneralName.iPAddress, IpLiterals.spell(address)));
    }
    return new GeneralNames(entries.toArray(GeneralName[]::new));
  }
}

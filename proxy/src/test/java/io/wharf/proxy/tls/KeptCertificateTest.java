package io.wharf.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

final class KeptCertificateTest {
  private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path data;
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(KeptCertificate.class);
  private final AtomicInteger generated = new AtomicInteger();

  private Level configured;

  @BeforeEach
  void capture() {
    configured = logger.getLevel();
    logger.setLevel(Level.INFO);
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
    logger.setLevel(configured);
  }

  private CertifiedKey open(List<String> sans) {
    return KeptCertificate.open(data, sans, () -> {
      generated.incrementAndGet();
      return SubjectNames.of("node-7", List.of(address("10.1.2.3"), address("fe80::1%1")), sans);
    }, CLOCK);
  }

  @Test
  void firstStartGeneratesAnEcCertificateForEveryNameAndKeepsItWithAPrivateKey() throws Exception {
    CertifiedKey c = open(List.of("192.168.50.7", "Node-7.Edge", "2001:db8::7"));

    assertThat(c.subject()).isEqualTo("O=wharf,CN=node-7");
    assertThat(c.subjectAltNames()).containsExactly(
        "DNS:node-7", "DNS:localhost", "DNS:node-7.edge",
        "IP:10.1.2.3", "IP:fe80::1", "IP:127.0.0.1", "IP:::1", "IP:192.168.50.7", "IP:2001:db8::7");
    assertThat(c.leaf().getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(((ECPublicKey) c.leaf().getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(c.leaf().getNotBefore().toInstant()).isBefore(NOW);
    assertThat(Duration.between(NOW, c.leaf().getNotAfter().toInstant()).toDays()).isEqualTo(3650);
    assertThat(c.leaf().getBasicConstraints()).isEqualTo(-1); // not a CA
    assertThat(c.leaf().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
    c.leaf().verify(c.leaf().getPublicKey()); // signed by itself
    assertThat(c.keyMatchesLeaf()).isTrue();

    Path key = data.resolve("tls/server.key");
    Path cert = data.resolve("tls/server.crt");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
    try (var entries = Files.list(data.resolve("tls"))) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("server.crt", "server.key");
    }
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.contains("first start"));
  }

  @Test
  void laterStartsReuseTheKeptCertificate() {
    CertifiedKey first = open(List.of("10.9.9.9"));
    CertifiedKey second = open(List.of("10.9.9.9"));
    CertifiedKey fewerSans = open(List.of());

    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(fewerSans.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(second.key().getEncoded()).isEqualTo(first.key().getEncoded());
    assertThat(generated).hasValue(1);
  }

  @Test
  void aConfiguredNameTheKeptCertificateLacksMakesANewOneAndSaysWhy() {
    CertifiedKey first = open(List.of("10.9.9.9"));
    CertifiedKey second = open(List.of("10.9.9.9", "node-7.edge"));

    assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
    assertThat(second.subjectAltNames()).contains("DNS:node-7.edge", "IP:10.9.9.9");
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("server.https.sans lists names it lacks: [DNS:node-7.edge]"));
    assertThat(open(List.of("node-7.edge")).fingerprint()).isEqualTo(second.fingerprint());
  }

  @Test
  void aMissingUnreadableOrForeignKeyMakesANewOne() throws Exception {
    String first = open(List.of()).fingerprint();

    Files.delete(data.resolve("tls/server.key"));
    String afterDelete = open(List.of()).fingerprint();
    assertThat(afterDelete).isNotEqualTo(first);
    assertThat(lines.list.get(lines.list.size() - 1).getFormattedMessage()).contains("server.key cannot be read: NoSuchFileException");

    Files.writeString(data.resolve("tls/server.crt"), "not pem at all\n");
    String afterGarbage = open(List.of()).fingerprint();
    assertThat(afterGarbage).isNotEqualTo(afterDelete);
    assertThat(lines.list.get(lines.list.size() - 1).getFormattedMessage()).contains("server.crt holds no PEM certificate");

    // a crash between the two renames: the key of one generation, the certificate of another
    Path otherData = Files.createTempDirectory(data.getParent(), "other");
    KeptCertificate.open(otherData, List.of(), () -> SubjectNames.of("x", List.of(), List.of()), CLOCK);
    Files.copy(otherData.resolve("tls/server.key"), data.resolve("tls/server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String afterForeignKey = open(List.of()).fingerprint();
    assertThat(afterForeignKey).isNotEqualTo(afterGarbage);
    assertThat(lines.list.get(lines.list.size() - 1).getFormattedMessage()).contains("is not the certificate's");
    assertThat(generated).hasValue(4);
  }

  @Test
  void anExpiredCertificateIsReplaced() {
    String first = open(List.of()).fingerprint();
    Clock later = Clock.fixed(NOW.plus(Duration.ofDays(3651)), ZoneOffset.UTC);

    CertifiedKey renewed = KeptCertificate.open(data, List.of(), () -> SubjectNames.of("node-7", List.of(), List.of()), later);

    assertThat(renewed.fingerprint()).isNotEqualTo(first);
    assertThat(lines.list.get(lines.list.size() - 1).getFormattedMessage()).contains("it expired on");
  }

  @Test
  void thisHostsNamesIncludeItsHostNameAndEveryInterfaceAddress() throws Exception {
    SubjectNames names = SubjectNames.ofThisHost(List.of("10.200.0.1"));

    assertThat(names.hostName()).isNotBlank();
    assertThat(names.dnsNames()).contains(names.hostName().toLowerCase(java.util.Locale.ROOT), "localhost");
    List<String> sans = names.asSubjectAltNames();
    assertThat(sans).contains("IP:127.0.0.1", "IP:::1", "IP:10.200.0.1");
    for (var i : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : java.util.Collections.list(i.getInetAddresses())) {
        assertThat(sans).contains("IP:" + IpLiterals.spell(a));
      }
    }
    assertThat(sans).doesNotHaveDuplicates();
  }

  @Test
  void ipLiteralsAreToldFromHostNamesWithoutALookup() {
    assertThat(IpLiterals.parse("10.0.0.7")).isPresent();
    assertThat(IpLiterals.parse("[2001:db8::1]").map(IpLiterals::spell)).hasValue("2001:db8::1");
    assertThat(IpLiterals.parse("fe80::1%eth0").map(IpLiterals::spell)).hasValue("fe80::1");
    assertThat(IpLiterals.normalize("0:0:0:0:0:0:0:1")).isEqualTo("::1");
    assertThat(IpLiterals.normalize("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
    assertThat(IpLiterals.parse("node-7.edge")).isEmpty();
    assertThat(IpLiterals.parse("10.0.0.256")).isEmpty();
    assertThat(IpLiterals.parse("1.2.3")).isEmpty();
    assertThat(IpLiterals.parse("a:b:c:d:e:f:g:h")).isEmpty(); // 'g' is no hex digit
  }

  private static InetAddress address(String literal) {
    return IpLiterals.parse(literal).orElseThrow();
  }
}

package io.wharf.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.it.fixture.TestCa;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class OperatorCertificateTest {
  private static final TestCa CA = TestCa.create("wharf operator test CA");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} key, traditional={1}")
  @CsvSource({"EC, false", "EC, true", "RSA, false", "RSA, true"})
  void loadsAChainAndAPkcs8OrTraditionalKey(TestCa.KeyType type, boolean traditional) throws Exception {
    TestCa.Leaf leaf = CA.issue("registry.edge", List.of("registry.edge", "127.0.0.1"), type);
    Path cert = leaf.writeChain(dir.resolve("tls.crt"));
    Path key = leaf.writeKey(dir.resolve("tls.key"), traditional);
    String header = traditional ? "-----BEGIN " + type + " PRIVATE KEY-----" : "-----BEGIN PRIVATE KEY-----";
    assertThat(Files.readString(key)).startsWith(header);

    CertifiedKey loaded = new OperatorCertificate(cert, key).load();

    assertThat(loaded.chain()).containsExactly(leaf.certificate(), CA.certificate());
    assertThat(loaded.fingerprint()).isEqualTo(leaf.fingerprint());
    assertThat(loaded.subjectAltNames()).containsExactly("DNS:registry.edge", "IP:127.0.0.1");
    assertThat(loaded.key().getAlgorithm()).isEqualTo(type.name());
    assertThat(loaded.toString()).contains(leaf.fingerprint()).doesNotContain("PRIVATE", "key=");
  }

  @Test
  void anOpensslEcparamKeyWithItsParametersBlockLoads() throws Exception {
    TestCa.Leaf leaf = CA.issue("x", List.of("localhost"), TestCa.KeyType.EC);
    Path cert = leaf.writeChain(dir.resolve("tls.crt"));
    String key = Files.readString(leaf.writeKey(dir.resolve("k.pem"), true));
    Path withParams = Files.writeString(dir.resolve("tls.key"),
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + key);

    assertThat(new OperatorCertificate(cert, withParams).load().fingerprint()).isEqualTo(leaf.fingerprint());
  }

  @Test
  void keysWrittenByOpensslLoad() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    for (String[] command : List.of(
        new String[] {"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "ec.key"},
        new String[] {"openssl", "genrsa", "-traditional", "-out", "rsa.key", "2048"},
        new String[] {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "pkcs8.key"})) {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }
    assertThat(Files.readString(dir.resolve("ec.key"))).startsWith("-----BEGIN EC PARAMETERS-----");
    assertThat(Files.readString(dir.resolve("rsa.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve("pkcs8.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Pem.readPrivateKey(dir.resolve("ec.key")).getAlgorithm()).isEqualTo("EC");
    assertThat(Pem.readPrivateKey(dir.resolve("rsa.key")).getAlgorithm()).isEqualTo("RSA");
    assertThat(Pem.readPrivateKey(dir.resolve("pkcs8.key")).getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingTheKeyAndBothFiles() {
    Path cert = CA.issue("a", List.of("localhost"), TestCa.KeyType.EC).writeChain(dir.resolve("a.crt"));
    Path otherKey = CA.issue("b", List.of("localhost"), TestCa.KeyType.EC).writeKey(dir.resolve("b.key"), false);
    Path rsaKey = CA.issue("c", List.of("localhost"), TestCa.KeyType.RSA).writeKey(dir.resolve("c.key"), true);

    for (Path key : List.of(otherKey, rsaKey)) {
      assertThatThrownBy(() -> new OperatorCertificate(cert, key).load())
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("config key 'server.https.keyFile'")
          .hasMessageContaining("'" + key + "' is not the private key of the certificate in '" + cert + "'")
          .hasMessageContaining("CN=a");
    }
  }

  @Test
  void unreadableOrWrongFilesAreRefusedNamingTheKeyAndTheFile() throws Exception {
    TestCa.Leaf leaf = CA.issue("a", List.of("localhost"), TestCa.KeyType.EC);
    Path cert = leaf.writeChain(dir.resolve("a.crt"));
    Path key = leaf.writeKey(dir.resolve("a.key"), false);
    Path absent = dir.resolve("absent.pem");

    assertThatThrownBy(() -> new OperatorCertificate(absent, key).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config key 'server.https.certFile': '" + absent + "' cannot be read")
        .hasMessageContaining("NoSuchFileException");
    assertThatThrownBy(() -> new OperatorCertificate(key, key).load())
        .hasMessageContaining("server.https.certFile").hasMessageContaining("holds no PEM certificate");
    assertThatThrownBy(() -> new OperatorCertificate(cert, cert).load())
        .hasMessageContaining("config key 'server.https.keyFile': '" + cert + "' holds no PEM private key");
    assertThatThrownBy(() -> new OperatorCertificate(cert, absent).load())
        .hasMessageContaining("config key 'server.https.keyFile': '" + absent + "' cannot be read");
    Path broken = Files.writeString(dir.resolve("broken.crt"),
        "-----BEGIN CERTIFICATE-----\nMIIBbroken!!\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> new OperatorCertificate(broken, key).load())
        .isInstanceOf(ConfigException.class).hasMessageContaining("server.https.certFile")
        .hasMessageContaining("'" + broken + "' is not valid PEM");

    StringWriter encrypted = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(encrypted)) {
      w.writeObject(new JcaPKCS8Generator(leaf.key(),
          new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build()));
    }
    Path encryptedKey = Files.writeString(dir.resolve("encrypted.key"), encrypted.toString());
    assertThat(encrypted.toString()).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThatThrownBy(() -> new OperatorCertificate(cert, encryptedKey).load())
        .hasMessageContaining("server.https.keyFile").hasMessageContaining("encrypted private key");
  }

  @Test
  void theStampChangesWhenEitherFileIsReplaced() throws Exception {
    TestCa.Leaf leaf = CA.issue("a", List.of("localhost"), TestCa.KeyType.EC);
    OperatorCertificate files = new OperatorCertificate(leaf.writeChain(dir.resolve("a.crt")), leaf.writeKey(dir.resolve("a.key"), false));
    OperatorCertificate.Stamp before = files.stamp();

    assertThat(files.stamp()).isEqualTo(before);
    leaf.writeKey(dir.resolve("a.key"), false); // same bytes, a new file (renamed into place)
    assertThat(files.stamp()).isNotEqualTo(before);
    OperatorCertificate.Stamp afterKey = files.stamp();
    Files.delete(dir.resolve("a.crt"));
    assertThat(files.stamp()).isNotEqualTo(afterKey);
  }
}

package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.TestCa;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 and 5 of issue 6 with real processes: wharf's HTTPS port, on 127.0.0.1, serving its
 * own self-signed certificate (generated on first start, kept, reused) and an operator's
 * certificate from a test CA (replaced on disk and served to the next connection without a
 * restart); skopeo pulls through it verifying the certificate with {@code --src-cert-dir}, as a
 * cluster node would, and without verification. Pulls are anonymous, through Debian's
 * docker-registry as the upstream.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class HttpsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = "hub/library/alpine:3.20";

  @TempDir static Path tmp;
  private ImageInfo alpine;
  private Skopeo skopeo;
  private DockerRegistry upstream;
  private final TestCa ca = TestCa.create("wharf HttpsIT CA");

  @BeforeAll
  void start() {
    SyntheticImages images = SyntheticImages.in(tmp.resolve("src"), 6);
    alpine = images.single("alpine", List.of(3_000_000L, 200_000L));
    skopeo = Skopeo.in(tmp.resolve("skopeo"));
    upstream = DockerRegistry.start(tmp.resolve("upstream"));
    skopeo.copy(images.ociRef("alpine"), "docker://" + upstream.hostPort() + "/library/alpine:3.20", "--preserve-digests");
  }

  @AfterAll
  void stop() {
    if (upstream != null) {
      upstream.close();
    }
  }

  private WharfProcess.Launcher wharf(Path data) {
    return WharfProcess.on(data).upstreams(PullThroughIT.upstreamYaml(upstream.url().toString(), "5m"));
  }

  @Test
  @Order(1)
  void firstStartServesAKeptSelfSignedCertificateThatSkopeoVerifiesAndTheSecondStartReuses() throws Exception {
    Path data = tmp.resolve("self-signed");
    String fingerprint;
    try (WharfProcess wharf = wharf(data).start()) {
      Path crt = data.resolve("tls/server.crt");
      Path key = data.resolve("tls/server.key");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
      X509Certificate kept = TestCa.readCertificate(crt);
      X509Certificate served = handshake(wharf.httpsPort(), TestCa.trustingAnything());
      fingerprint = TestCa.fingerprint(served);
      assertThat(fingerprint).isEqualTo(TestCa.fingerprint(kept));
      assertThat(wharf.log()).contains("https: serving", "sha256=\"" + fingerprint + "\"").doesNotContain("PRIVATE KEY");

      // the host's names: its host name, localhost, and every local address
      assertThat(served.getSubjectX500Principal().getName()).contains("CN=" + hostName());
      List<String> dns = sans(served, 2);
      assertThat(dns).contains(hostName().toLowerCase(Locale.ROOT), "localhost");
      List<InetAddress> ips = sans(served, 7).stream().map(HttpsIT::address).toList();
      for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(i.getInetAddresses())) {
          assertThat(ips).as("SAN for %s of %s", a, i.getName()).contains(InetAddress.getByAddress(a.getAddress()));
        }
      }
      assertThat(ips).contains(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));

      // skopeo verifying it: the certificate as a CA (*.crt) in its cert dir
      Path certDir = Files.createDirectories(tmp.resolve("certs-self"));
      Files.copy(crt, certDir.resolve("wharf.crt"));
      pullVerified(wharf.httpsHostPort(), certDir, "self-verified");
      // and with verification off
      pull(wharf.httpsHostPort(), "self-unverified", "--src-tls-verify=false");
      // a client that trusts something else refuses it
      Path otherCa = Files.createDirectories(tmp.resolve("certs-other"));
      ca.writeCertificate(otherCa.resolve("ca.crt"));
      Skopeo.Result refused = skopeo.tryRun(List.of("copy", "--src-tls-verify=true", "--src-cert-dir", otherCa.toString(),
          "docker://" + wharf.httpsHostPort() + "/" + IMAGE, "oci:" + tmp.resolve("refused") + ":copy"));
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.stderr()).containsIgnoringCase("certificate");
    }

    try (WharfProcess again = wharf(data).start()) {
      assertThat(TestCa.fingerprint(handshake(again.httpsPort(), TestCa.trustingAnything()))).isEqualTo(fingerprint);
      assertThat(again.log()).doesNotContain("generated a");
    }
  }

  @Test
  @Order(2)
  void anOperatorCertificateFromACaVerifiesAndAReplacementIsServedToTheNextConnectionWithoutARestart() throws Exception {
    Path tls = Files.createDirectories(tmp.resolve("operator-tls"));
    TestCa.Leaf first = ca.issue("wharf", List.of("127.0.0.1", "localhost"), TestCa.KeyType.EC);
    Path crt = first.writeChain(tls.resolve("tls.crt"));
    Path key = first.writeKey(tls.resolve("tls.key"), false);
    Path certDir = Files.createDirectories(tmp.resolve("certs-ca"));
    ca.writeCertificate(certDir.resolve("ca.crt"));
    SSLContext trustingCa = ca.clientContext();

    try (WharfProcess wharf = wharf(tmp.resolve("operator"))
        .https("certFile", crt.toString())
        .https("keyFile", key.toString())
        .start()) {
      assertThat(TestCa.fingerprint(handshake(wharf.httpsPort(), trustingCa))).isEqualTo(first.fingerprint());
      assertThat(tmp.resolve("operator/tls")).doesNotExist(); // no self-signed one made
      pullVerified(wharf.httpsHostPort(), certDir, "operator-first");

      // renewed on disk: a new leaf of the same CA, an RSA key this time, in traditional PEM
      TestCa.Leaf second = ca.issue("wharf", List.of("127.0.0.1", "localhost"), TestCa.KeyType.RSA);
      second.writeKey(key, true);
      second.writeChain(crt);
      long pid = wharf.pid();
      String served = first.fingerprint();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!served.equals(second.fingerprint()) && System.nanoTime() < deadline) {
        Thread.sleep(200); // wharf looks at the files at most once a second, when a connection comes
        served = TestCa.fingerprint(handshake(wharf.httpsPort(), trustingCa));
      }
      assertThat(served).as("the next connection after the replacement").isEqualTo(second.fingerprint());
      assertThat(wharf.pid()).isEqualTo(pid);
      assertThat(wharf.isAlive()).isTrue();
      assertThat(wharf.log()).contains("https: certificate changed on disk");
      pullVerified(wharf.httpsHostPort(), certDir, "operator-second");
    }
  }

  /** skopeo copy with the certificate verified against the CAs in {@code certDir}. */
  private void pullVerified(String hostPort, Path certDir, String out) throws IOException {
    pull(hostPort, out, "--src-tls-verify=true", "--src-cert-dir", certDir.toString());
  }

  private void pull(String hostPort, String outName, String... tlsFlags) throws IOException {
    Path out = tmp.resolve(outName);
    List<String> args = new ArrayList<>(List.of("copy", "--preserve-digests"));
    args.addAll(List.of(tlsFlags));
    args.add("docker://" + hostPort + "/" + IMAGE);
    args.add("oci:" + out + ":copy");
    skopeo.run(args);
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(alpine.digest());
    for (String digest : alpine.blobDigests()) {
      assertThat(out.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()))).exists();
    }
  }

  /** A new TLS connection to 127.0.0.1:port; the leaf certificate it was served. */
  private static X509Certificate handshake(int port, SSLContext client) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      var params = socket.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(params);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static List<String> sans(X509Certificate c, int type) throws Exception {
    List<String> names = new ArrayList<>();
    for (List<?> entry : c.getSubjectAlternativeNames()) {
      if ((Integer) entry.get(0) == type) {
        names.add((String) entry.get(1));
      }
    }
    return names;
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: parsed, never looked up
    } catch (IOException e) {
      throw new AssertionError(literal, e);
    }
  }

  // what the kernel calls this host, as wharf reads it
  private static String hostName() throws IOException {
    return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
  }
}

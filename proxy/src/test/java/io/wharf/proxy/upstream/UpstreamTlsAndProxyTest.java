package io.wharf.proxy.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.wharf.proxy.upstream.TestSupport.await;
import static io.wharf.proxy.upstream.TestSupport.failure;
import static io.wharf.proxy.upstream.TestSupport.fast;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.upstream.ProxySelection.ProxyServer;
import io.wharf.proxy.upstream.TestSupport.RecordingSleeper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS with an extra CA, and connections through an HTTP CONNECT proxy, against loopback only. */
final class UpstreamTlsAndProxyTest {
  private static final String MANIFEST_PATH = "/v2/library/alpine/manifests/latest";
  private static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(UTF_8);

  @TempDir static Path dir;
  private static Path caFile;
  private static WireMockServer https;
  private static WireMockServer http;

  private final RecordingSleeper sleeper = new RecordingSleeper();
  private ConnectProxy proxy;
  private NettyUpstreamClient client;

  @BeforeAll
  static void startUpstreams() throws Exception {
    Path keystore = dir.resolve("upstream.p12");
    caFile = dir.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    String pem = "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(UTF_8)).encodeToString(ks.getCertificate("upstream").getEncoded())
        + "\n-----END CERTIFICATE-----\n";
    java.nio.file.Files.writeString(caFile, pem);
    https = new WireMockServer(wireMockConfig()
        .bindAddress("127.0.0.1")
        .httpDisabled(true)
        .dynamicHttpsPort()
        .http2TlsDisabled(true)
        .keystorePath(keystore.toString())
        .keystoreType("PKCS12")
        .keystorePassword("changeit")
        .keyManagerPassword("changeit"));
    https.start();
    http = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().http2PlainDisabled(true));
    http.start();
  }

  @AfterAll
  static void stopUpstreams() {
    https.stop();
    http.stop();
  }

  @BeforeEach
  void stub() throws IOException {
    for (WireMockServer s : List.of(https, http)) {
      s.resetAll();
      s.stubFor(get(MANIFEST_PATH).willReturn(aResponse().withHeader("Content-Type", MediaTypes.OCI_MANIFEST).withBody(MANIFEST)));
    }
    proxy = new ConnectProxy(null);
  }

  @AfterEach
  void close() throws IOException {
    if (client != null) {
      client.close();
    }
    proxy.close();
  }

  private String httpsUrl() {
    return "https://127.0.0.1:" + https.httpsPort();
  }

  private NettyUpstreamClient client(NettyUpstreamClient.Builder b, ProxySelection proxies) {
    client = b.settings(fast(2)).proxies(proxies).sleeper(sleeper).build();
    return client;
  }

  @Test
  void trustsAnUpstreamCertificateFromItsCaFile() throws Exception {
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create(httpsUrl())).caFile(caFile), ProxySelection.none());

    assertThat(await(c.getManifest("library/alpine", "latest")).body()).isEqualTo(MANIFEST);
    assertThat(await(c.getManifest("library/alpine", "latest")).body()).isEqualTo(MANIFEST);
  }

  @Test
  void refusesAnUntrustedCertificateWithoutRetrying() throws Exception {
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create(httpsUrl())), ProxySelection.none());

    OciException e = failure(c.getManifest("library/alpine", "latest"));

    assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
    assertThat(e.detail()).isEqualTo("tls handshake failed");
    assertThat(sleeper.waits).isEmpty();
    https.verify(0, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)));
  }

  @Test
  void refusesATrustedCertificateThatDoesNotNameTheHost() throws Exception {
    // the certificate names 127.0.0.1 only; localhost is the same server under a name it lacks
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create("https://localhost:" + https.httpsPort())).caFile(caFile),
        ProxySelection.none());

    OciException e = failure(c.getManifest("library/alpine", "latest"));

    assertThat(e.detail()).isEqualTo("tls handshake failed");
    assertThat(e.getMessage()).contains("localhost");
  }

  @Test
  void tunnelsHttpsThroughTheProxyOfHttpsProxy() throws Exception {
    ProxySelection proxies = ProxySelection.fromEnvironment(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + proxy.port()));
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create(httpsUrl())).caFile(caFile), proxies);

    assertThat(await(c.getManifest("library/alpine", "latest")).body()).isEqualTo(MANIFEST);
    assertThat(await(c.getManifest("library/alpine", "latest")).body()).isEqualTo(MANIFEST);

    assertThat(proxy.connects()).containsExactly("127.0.0.1:" + https.httpsPort()); // one tunnel, kept alive
  }

  @Test
  void tunnelsHttpThroughTheProxyOfHttpProxyWithCredentials() throws Exception {
    proxy.close();
    String auth = "Basic " + Base64.getEncoder().encodeToString("bob:p@ss".getBytes(UTF_8));
    proxy = new ConnectProxy(auth);
    ProxySelection proxies = ProxySelection.fromEnvironment(Map.of(
        "http_proxy", "http://bob:p%40ss@127.0.0.1:" + proxy.port(),
        "HTTPS_PROXY", "http://127.0.0.1:1"));
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create("http://127.0.0.1:" + http.port())), proxies);

    assertThat(await(c.getManifest("library/alpine", "latest")).body()).isEqualTo(MANIFEST);

    assertThat(proxy.connects()).containsExactly("127.0.0.1:" + http.port());
  }

  @Test
  void aProxyRefusingTheTunnelIsAConnectFailure() throws Exception {
    proxy.close();
    proxy = new ConnectProxy("Basic secret");
    ProxySelection proxies = ProxySelection.of(null, new ProxyServer("127.0.0.1", proxy.port(), null, null), "");
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create("http://127.0.0.1:" + http.port())), proxies);

    OciException e = failure(c.getManifest("library/alpine", "latest"));

    assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE);
    assertThat(e.detail()).isEqualTo("connect failed");
    assertThat(e.getMessage()).contains("407");
    assertThat(proxy.connects()).hasSize(3); // connect failures are retried
  }

  @Test
  void noProxyHostsConnectDirectly() throws Exception {
    ProxySelection proxies = ProxySelection.fromEnvironment(Map.of(
        "HTTP_PROXY", "127.0.0.1:" + proxy.port(),
        "NO_PROXY", "registry.internal, 127.0.0.1"));
    NettyUpstreamClient c = client(NettyUpstreamClient.builder(URI.create("http://127.0.0.1:" + http.port())), proxies);

    assertThat(await(c.getManifest("library/alpine", "latest")).body()).isEqualTo(MANIFEST);

    assertThat(proxy.connects()).isEmpty();
    http.verify(1, getRequestedFor(urlPathEqualTo(MANIFEST_PATH)));
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}

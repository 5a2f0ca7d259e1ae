package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.it.fixture.ConnectProxy;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 5 of issue 3: the upstream is Debian's docker-registry over TLS on {@code
 * https://localhost:<port>} (a self-signed certificate from openssl, given to wharf as the upstream's
 * {@code caFile}); wharf started with {@code HTTPS_PROXY} pointing at a local CONNECT proxy pulls
 * through it, and with {@code NO_PROXY=localhost} as well it goes direct.
 */
final class ProxyEnvIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pullsTunnelThroughHttpsProxyAndNoProxyHostsBypassIt(@TempDir Path tmp) throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 31);
    ImageInfo alpine = images.single("alpine", List.of(300_000L, 100_000L));
    Path cert = tmp.resolve("tls/cert.pem");
    Path key = tmp.resolve("tls/key.pem");
    selfSignedCertificate(cert, key);
    // distribution reads its config with yaml.v2, which decodes a repeated top-level key into the same
    // struct: this http: adds tls to the fixture's http: (addr, secret) and keeps the rest
    String tls = "http:\n  tls:\n    certificate: '" + cert + "'\n    key: '" + key + "'\n";
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    try (var upstream = DockerRegistry.on(tmp.resolve("upstream")).extraYaml(tls).start();
        var proxy = ConnectProxy.start()) {
      // skopeo with TLS verification off speaks https to it
      skopeo.copy(images.ociRef("alpine"), "docker://" + upstream.hostPort() + "/library/alpine:3.20",
          "--preserve-digests");
      String target = "localhost:" + upstream.port();
      String yaml = "upstreams:\n"
          + "  - {name: hub, host: 'upstream.test:5000', url: 'https://" + target + "', tagTtl: 5m, caFile: '"
          + cert + "'}\n"
          + "defaultUpstream: 'upstream.test:5000'\n"
          + "pullThrough:\n  tagCheckTimeout: 2s\n  connectTimeout: 2s\n  readTimeout: 10s\n";

      // HTTPS_PROXY and no NO_PROXY: every upstream connection is a CONNECT tunnel through the proxy
      var viaProxy = ContainerdPullIT.directOnly(WharfProcess.on(tmp.resolve("data-proxy")).upstreams(yaml))
          .env("HTTPS_PROXY", proxy.url().toString());
      try (var wharf = viaProxy.start()) {
        assertPull(skopeo, wharf, alpine, tmp.resolve("out-proxy"));
      }
      assertThat(proxy.tunnels(target)).as("tunnels %s", proxy.tunnels()).isPositive();
      assertThat(proxy.tunnels()).containsOnlyKeys(target);
      assertThat(proxy.forwards()).isEmpty();
      assertThat(proxy.refused()).isEmpty();

      // the same HTTPS_PROXY with NO_PROXY=localhost: direct, the proxy sees no connection at all
      int accepted = proxy.accepted();
      var direct = ContainerdPullIT.directOnly(WharfProcess.on(tmp.resolve("data-direct")).upstreams(yaml))
          .env("HTTPS_PROXY", proxy.url().toString())
          .env("NO_PROXY", "localhost");
      try (var wharf = direct.start()) {
        assertPull(skopeo, wharf, alpine, tmp.resolve("out-direct"));
      }
      assertThat(proxy.accepted()).as("connections to the proxy").isEqualTo(accepted);
    }
  }

  private static void assertPull(Skopeo skopeo, WharfProcess wharf, ImageInfo image, Path out) throws Exception {
    skopeo.copy("docker://" + wharf.hostPort() + "/hub/library/alpine:3.20", "oci:" + out + ":copy",
        "--preserve-digests");
    JsonNode index = JSON.readTree(out.resolve("index.json").toFile());
    assertThat(index.path("manifests").get(0).path("digest").asText()).isEqualTo(image.digest());
    for (String digest : image.blobDigests()) {
      assertThat(out.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()))).as(digest).exists();
    }
  }

  /** A P-256 certificate for localhost and 127.0.0.1, self-signed, and its key, by openssl. */
  private static void selfSignedCertificate(Path cert, Path key) throws Exception {
    Files.createDirectories(cert.getParent());
    var pb = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true)
        .redirectOutput(cert.resolveSibling("openssl.log").toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    assertThat(p.exitValue()).as(Files.readString(cert.resolveSibling("openssl.log"))).isZero();
  }
}

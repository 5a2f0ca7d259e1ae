package io.wharf.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.TestCa;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class ContainerdConfigCommandTest {
  private static final String CONFIG =
      """
      upstreams:
        - {name: dockerhub, host: docker.io, url: 'https://registry-1.docker.io', tagTtl: 5m}
        - {name: harness, host: 'upstream.test:5000', url: 'http://127.0.0.1:5000', tagTtl: 5m}
      defaultUpstream: docker.io
      """;

  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new WharfCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void writesAHostsTomlPerUpstreamNamingWharfAsAPullAndResolveMirror() throws IOException {
    Path config = Files.writeString(dir.resolve("wharf.yaml"), CONFIG);
    Path hosts = dir.resolve("certs.d");

    int status =
        run(
            "containerd-config",
            "--config", config.toString(),
            "--dir", hosts.toString(),
            "--mirror", "http://127.0.0.1:5050/");

    assertThat(status).as(err.toString()).isZero();
    assertThat(Files.readString(hosts.resolve("docker.io/hosts.toml")))
        .isEqualTo(
            """
            # Written by `wharf containerd-config`: containerd pulls docker.io through wharf,
            # and from the server below when wharf cannot answer.
            server = "https://registry-1.docker.io"

            [host."http://127.0.0.1:5050"]
              capabilities = ["pull", "resolve"]
              dial_timeout = "1s"
              skip_verify = false
            """);
    // containerd looks a host with a port up as host:port (and host_port_ on Unix)
    assertThat(Files.readString(hosts.resolve("upstream.test:5000/hosts.toml")))
        .contains("containerd pulls upstream.test:5000 through wharf")
        .contains("server = \"http://127.0.0.1:5000\"\n");
    assertThat(out.toString().lines())
        .containsExactly(
            hosts.resolve("docker.io/hosts.toml").toString(),
            hosts.resolve("upstream.test:5000/hosts.toml").toString());
    try (Stream<Path> files = Files.walk(hosts)) {
      assertThat(files.filter(Files::isRegularFile)).hasSize(2);
    }
  }

  @Test
  void serverAndCaOverrideTheFallbackAndTrustTheMirror() throws IOException {
    Path config = Files.writeString(dir.resolve("wharf.yaml"), CONFIG);
    Path ca = TestCa.create("wharf CA").writeCertificate(dir.resolve("wharf-ca.pem"));
    Path hosts = dir.resolve("certs.d");
    Files.createDirectories(hosts.resolve("docker.io"));
    Files.writeString(hosts.resolve("docker.io/hosts.toml"), "server = \"old\"\n");

    int status =
        run(
            "containerd-config",
            "--config", config.toString(),
            "--dir", hosts.toString(),
            "--mirror", "https://node-1:30003",
            "--server", "http://127.0.0.1:9",
            "--ca", ca.toString());

    assertThat(status).as(err.toString()).isZero();
    assertThat(Files.readString(hosts.resolve("docker.io/hosts.toml")))
        .endsWith(
            """
            server = "http://127.0.0.1:9"

            [host."https://node-1:30003"]
              capabilities = ["pull", "resolve"]
              dial_timeout = "1s"
              skip_verify = false
              ca = "%s"
            """
                .formatted(ca.toAbsolutePath()));
    assertThat(Files.readString(hosts.resolve("upstream.test:5000/hosts.toml")))
        .contains("server = \"http://127.0.0.1:9\"\n");
  }

  @Test
  void withoutMirrorWharfOnThisHostIsTheMirrorOverHttpsWhenACaIsGiven() throws IOException {
    Path config = Files.writeString(dir.resolve("wharf.yaml"), CONFIG
        + "server:\n  http:\n    listen: 0.0.0.0:5055\n  https:\n    listen: 0.0.0.0:30003\n");
    // wharf's own self-signed certificate, as a daemon keeps it
    Path selfSigned = TestCa.create("node-1").writeCertificate(dir.resolve("data/tls/server.crt"));
    Path hosts = dir.resolve("certs.d");

    assertThat(run("containerd-config", "--config", config.toString(), "--dir", hosts.toString(), "--ca", selfSigned.toString()))
        .as(err.toString()).isZero();
    assertThat(Files.readString(hosts.resolve("docker.io/hosts.toml")))
        .contains(
            """
            [host."https://127.0.0.1:30003"]
              capabilities = ["pull", "resolve"]
              dial_timeout = "1s"
              skip_verify = false
              ca = "%s"
            """.formatted(selfSigned.toAbsolutePath()));
    assertThat(Files.readString(hosts.resolve("upstream.test:5000/hosts.toml")))
        .contains("[host.\"https://127.0.0.1:30003\"]", "ca = \"" + selfSigned.toAbsolutePath() + "\"");

    assertThat(run("containerd-config", "--config", config.toString(), "--dir", hosts.toString())).as(err.toString()).isZero();
    assertThat(Files.readString(hosts.resolve("docker.io/hosts.toml")))
        .contains("[host.\"http://127.0.0.1:5055\"]").doesNotContain("ca = ");
  }

  @Test
  void aCaIsRefusedForAnHttpMirrorWhenItIsNoCertificateAndWithoutHttps() throws IOException {
    Path config = Files.writeString(dir.resolve("wharf.yaml"), CONFIG);
    Path ca = TestCa.create("wharf CA").writeCertificate(dir.resolve("ca.crt"));
    Path notPem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    Path httpsOff = Files.writeString(dir.resolve("off.yaml"), CONFIG + "server:\n  https:\n    listen: ''\n");
    String hosts = dir.resolve("certs.d").toString();

    assertThat(run("containerd-config", "--config", config.toString(), "--dir", hosts,
        "--mirror", "http://127.0.0.1:5050", "--ca", ca.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--ca: containerd uses a CA for an https mirror only").doesNotContain("\tat ");
    assertThat(run("containerd-config", "--config", config.toString(), "--dir", hosts,
        "--mirror", "https://node-1:30003", "--ca", notPem.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--ca: '" + notPem + "' holds no PEM certificate");
    assertThat(run("containerd-config", "--config", httpsOff.toString(), "--dir", hosts, "--ca", ca.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("serves no HTTPS");
    assertThat(dir.resolve("certs.d")).doesNotExist();
  }

  @Test
  void theEmbeddedDefaultsGiveEveryPublicRegistry() throws IOException {
    Path hosts = dir.resolve("certs.d");

    assertThat(run("containerd-config", "--dir", hosts.toString(), "--mirror", "http://127.0.0.1:5050"))
        .as(err.toString())
        .isZero();
    try (Stream<Path> entries = Files.list(hosts)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "docker.io", "ghcr.io", "quay.io", "registry.k8s.io", "gcr.io", "public.ecr.aws");
    }
  }

  @Test
  void refusesABadMirrorAMissingCaAndAConfigWithoutUpstreams() throws IOException {
    String hosts = dir.resolve("certs.d").toString();

    assertThat(run("containerd-config", "--dir", hosts, "--mirror", "127.0.0.1:5050")).isEqualTo(2);
    assertThat(err.toString()).contains("--mirror").doesNotContain("\tat ");
    assertThat(
            run(
                "containerd-config", "--dir", hosts, "--mirror", "http://127.0.0.1:5050",
                "--ca", dir.resolve("absent.pem").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("absent.pem");

    Path none = Files.writeString(dir.resolve("none.yaml"), "upstreams: []\ndefaultUpstream: ''\n");
    assertThat(
            run(
                "containerd-config", "--config", none.toString(), "--dir", hosts,
                "--mirror", "http://127.0.0.1:5050"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("no upstreams are configured");
    assertThat(dir.resolve("certs.d")).doesNotExist();
  }
}

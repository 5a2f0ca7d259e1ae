package io.wharf.proxy.cli;

import io.wharf.proxy.config.HostAndPort;
import io.wharf.proxy.config.UpstreamConfig;
import io.wharf.proxy.config.WharfConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf containerd-config --dir D [--mirror URL] [--server URL] [--ca FILE]}: writes {@code
 * D/<host>/hosts.toml} for every configured upstream, in containerd's registry host format
 * (containerd {@code docs/hosts.md}), so that containerd pulls through wharf as a mirror. {@code
 * D} is containerd's {@code config_path} ({@code /etc/containerd/certs.d}) or {@code ctr
 * --hosts-dir}.
 *
 * <p>{@code --ca} names the certificate containerd trusts wharf's HTTPS listener with (the CA of
 * the operator's certificate, or wharf's self-signed {@code <storage.path>/tls/server.crt} itself):
 * it is written as {@code ca = "FILE"} (absolute) in the mirror's {@code [host."https://..."]}
 * table of every file, and only an https mirror may be given with it. Without {@code --mirror},
 * the mirror is wharf on this host as the config says: {@code https://} and {@code
 * server.https.listen} with {@code --ca}, {@code http://} and {@code server.http.listen} without
 * (a wildcard listen address becomes 127.0.0.1, which wharf's certificate names).
 *
 * <p>Each file names wharf as a {@code host} trusted to pull and resolve (a private mirror), with a
 * one-second {@code dial_timeout} so that a dead wharf costs little before containerd falls back to
 * {@code server}: the upstream's own URL, or {@code --server}. containerd asks the mirror with
 * {@code ?ns=<host>}, which wharf resolves to that upstream. {@code dial_timeout} takes effect from
 * containerd 2.1 (containerd#11106); older versions ignore the key and wait their own 30 s.
 *
 * <p>Files are replaced atomically (containerd reads the directory live); a directory of an
 * upstream no longer configured is left alone. Exit status: 2 for a configuration or usage error, 1
 * when a file cannot be written.
 */
@Command(
    name = "containerd-config",
    mixinStandardHelpOptions = true,
    description =
        "Write containerd hosts.toml files that make containerd pull every configured upstream"
            + " through wharf.")
final class ContainerdConfigCommand implements Callable<Integer> {
  /** How long containerd waits to connect to wharf before it falls back to the server. */
  static final String DIAL_TIMEOUT = "1s";

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "containerd's hosts directory (config_path), e.g. /etc/containerd/certs.d.")
  Path dir;

  @Option(
      names = "--mirror",
      paramLabel = "URL",
      description = "wharf as containerd reaches it, e.g. http://127.0.0.1:5050 or https://node-1:30003;"
          + " default: this host's listener from the config (HTTPS with --ca, HTTP without).")
  @Nullable String mirror;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "The fallback of every host instead of each upstream's url.")
  @Nullable String server;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description = "CA certificate (PEM) containerd trusts for the https mirror: the operator's CA, or"
          + " wharf's self-signed <storage.path>/tls/server.crt.")
  @Nullable Path ca;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML config over the embedded defaults, as for serve; optional.")
  @Nullable Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    URI givenMirror = mirror == null ? null : url("--mirror", mirror);
    URI serverUrl = server == null ? null : url("--server", server);
    Path caFile = ca == null ? null : ca.toAbsolutePath().normalize();
    if (caFile != null) {
      requireCertificate(caFile);
    }
    Optional<WharfConfig> loaded = WharfCommand.loadConfig(config, err);
    if (loaded.isEmpty()) {
      return WharfCommand.EXIT_CONFIG;
    }
    WharfConfig wharf = loaded.get();
    URI mirrorUrl = givenMirror != null ? givenMirror : localMirror(wharf, caFile != null);
    if (caFile != null && !mirrorUrl.getScheme().equalsIgnoreCase("https")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--ca: containerd uses a CA for an https mirror only, and --mirror is " + mirrorUrl
              + "; give wharf's https address, like https://node-1:30003");
    }
    if (wharf.upstreams().isEmpty()) {
      err.println("wharf: no upstreams are configured: no hosts.toml to write");
      err.flush();
      return WharfCommand.EXIT_CONFIG;
    }
    for (UpstreamConfig upstream : wharf.upstreams()) {
      URI fallback = serverUrl == null ? upstream.url() : serverUrl;
      Path file = dir.resolve(upstream.host()).resolve("hosts.toml");
      try {
        write(file, hostsToml(upstream, mirrorUrl, fallback, caFile));
      } catch (IOException e) {
        err.println("wharf: cannot write " + file + ": " + e.getMessage());
        err.flush();
        return 1;
      }
      out.println(file);
    }
    out.flush();
    return 0;
  }

  /** The {@code hosts.toml} of one upstream, mirrored by wharf at {@code mirror}. */
  static String hostsToml(UpstreamConfig upstream, URI mirror, URI server, @Nullable Path ca) {
    StringBuilder toml = new StringBuilder();
    toml.append("# Written by `wharf containerd-config`: containerd pulls ")
        .append(upstream.host())
        .append(" through wharf,\n# and from the server below when wharf cannot answer.\n");
    toml.append("server = ").append(quote(server.toString())).append("\n\n");
    toml.append("[host.").append(quote(mirror.toString())).append("]\n");
    toml.append("  capabilities = [\"pull\", \"resolve\"]\n");
    toml.append("  dial_timeout = ").append(quote(DIAL_TIMEOUT)).append('\n');
    toml.append("  skip_verify = false\n");
    if (ca != null) {
      toml.append("  ca = ").append(quote(ca.toString())).append('\n');
    }
    return toml.toString();
  }

  /** Wharf on this host: its HTTPS listener (with a CA) or its HTTP one, wildcards as loopback. */
  private URI localMirror(WharfConfig wharf, boolean https) {
    HostAndPort listen = https ? wharf.server().https().listen() : wharf.server().http().listen();
    if (listen == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--ca: the config serves no HTTPS (server.https.listen is \"\"): give --mirror");
    }
    String host = listen.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isEmpty()) {
      host = "127.0.0.1";
    } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create((https ? "https://" : "http://") + host + ":" + listen.port());
  }

  // containerd would only fail at pull time on a file that is not a certificate: refuse it now
  private void requireCertificate(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new CertificateException("no certificate in it");
      }
    } catch (IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--ca: cannot read '" + caFile + "'");
    } catch (CertificateException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--ca: '" + caFile + "' holds no PEM certificate (" + e.getMessage() + ")");
    }
  }

  // a TOML basic string: backslash, quote and control characters escaped
  private static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  // an http(s) URL of a host, without a trailing slash (containerd appends /v2)
  private URI url(String option, String text) {
    URI url;
    try {
      url = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (URISyntaxException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), option + ": cannot parse '" + text + "' as a URL");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https"))
        || url.getHost() == null
        || url.getRawUserInfo() != null
        || url.getRawQuery() != null
        || url.getRawFragment() != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          option + ": '" + text + "' is not an http or https URL of a host, like"
              + " http://127.0.0.1:5050");
    }
    return url;
  }

  // containerd reads the directory live: never let it see half a file
  private static void write(Path file, String content) throws IOException {
    Path parent = file.getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, ".hosts.toml.", ".tmp");
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}

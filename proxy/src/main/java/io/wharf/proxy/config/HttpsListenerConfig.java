package io.wharf.proxy.config;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The HTTPS listener, for the cluster (a NodePort on 30003).
 *
 * @param listen the address to bind; null (written {@code ""}) serves no HTTPS at all
 * @param certFile the operator's certificate (PEM, leaf first, chain allowed); null for a
 *     self-signed certificate generated on first start and kept in the data folder. Reloaded when
 *     it changes on disk
 * @param keyFile the private key of {@code certFile} (PEM, PKCS#8 or traditional); set together
 *     with {@code certFile}
 * @param sans extra subject alternative names for the self-signed certificate: node IPs and host
 *     names pods reach the NodePort on (an IP literal becomes an IP SAN, anything else a DNS SAN)
 * @param provider which TLS implementation serves it
 */
public record HttpsListenerConfig(
    @Nullable HostAndPort listen,
    @Nullable Path certFile,
    @Nullable Path keyFile,
    List<String> sans,
    TlsProvider provider) {
  public HttpsListenerConfig {
    sans = List.copyOf(sans == null ? List.of() : sans);
    if (provider == null) {
      throw ConfigException.forKey("provider", "has no value");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw ConfigException.forKey(
          certFile == null ? "certFile" : "keyFile",
          "certFile and keyFile are set together or not at all");
    }
    for (String san : sans) {
      if (san.isBlank() || san.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
        throw ConfigException.forKey("sans", "'" + san + "' is not a host name or IP address");
      }
    }
  }

  /** Whether an HTTPS listener is configured at all. */
  public boolean enabled() {
    return listen != null;
  }

  /** Whether the operator gave a certificate (otherwise wharf generates and keeps its own). */
  public boolean hasOperatorCertificate() {
    return certFile != null;
  }

  /** This listener with its certificate paths resolved against {@code directory}. */
  HttpsListenerConfig withPathsUnder(Path directory) {
    return certFile == null
        ? this
        : new HttpsListenerConfig(
            listen,
            directory.resolve(certFile).normalize(),
            directory.resolve(keyFile).normalize(),
            sans,
            provider);
  }
}

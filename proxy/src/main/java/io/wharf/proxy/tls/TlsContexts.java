package io.wharf.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.TlsProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Builds the server's {@link SslContext}: TLS 1.3 and 1.2 only, forward-secret AEAD ciphers only
 * (ECDHE with AES-GCM or ChaCha20-Poly1305), ALPN offering HTTP/1.1 alone (HTTP/2 comes with its
 * own throughput test), on OpenSSL or the JDK.
 */
final class TlsContexts {
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * In preference order: AES-GCM first (hardware AES on every server CPU wharf targets),
   * ChaCha20 for clients without it. The TLS 1.3 suites come first; a provider skips what it lacks.
   */
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsContexts() {}

  /**
   * The Netty provider {@code server.https.provider} asks for: {@code auto} takes OpenSSL when
   * netty-tcnative loads here, the JDK otherwise.
   *
   * @throws ConfigException for {@code openssl} on a host where netty-tcnative does not load
   */
  static SslProvider provider(TlsProvider configured) {
    return switch (configured) {
      case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
      case JDK -> SslProvider.JDK;
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          Throwable cause = OpenSsl.unavailabilityCause();
          throw ConfigException.forKey("server.https.provider",
              "openssl: netty-tcnative does not load on this host ("
                  + (cause == null ? "unknown cause" : cause.getMessage())
                  + "); use auto or jdk");
        }
        yield SslProvider.OPENSSL;
      }
    };
  }

  /** A human name of the provider, for the log: {@code openssl (BoringSSL)} or {@code jdk}. */
  static String describe(SslProvider provider) {
    return provider == SslProvider.JDK ? "jdk" : "openssl (" + OpenSsl.versionString() + ")";
  }

  /**
   * A server context presenting {@code identity}.
   *
   * <p>{@link SslProvider#OPENSSL} rather than its reference-counted twin: a reload swaps contexts
   * while connections still use the old one, and this one frees its native state when no
   * connection holds it any more, with no count to get wrong.
   *
   * @throws SSLException when the provider refuses the key or certificate
   */
  static SslContext build(CertifiedKey identity, SslProvider provider) throws SSLException {
    return SslContextBuilder.forServer(identity.key(), identity.chain().toArray(X509Certificate[]::new))
        .sslProvider(provider)
        .protocols(PROTOCOLS)
        .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // the only behaviours OpenSSL supports: a client offering only h2 gets no ALPN answer
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1))
        .build();
  }
}

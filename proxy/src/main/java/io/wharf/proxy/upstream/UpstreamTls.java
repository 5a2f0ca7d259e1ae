package io.wharf.proxy.upstream;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * The client TLS context of an upstream: the JVM's trusted CAs plus the upstream's extra CA PEM
 * bundle, host names verified ({@code HTTPS} endpoint identification), SNI sent by the handler.
 */
final class UpstreamTls {
  private UpstreamTls() {}

  /**
   * Builds the context.
   *
   * @param caFile a PEM bundle of extra CA certificates, or null for the JVM's only
   * @throws IllegalArgumentException when the file holds no certificate or cannot be parsed
   * @throws UncheckedIOException when the file cannot be read
   */
  static SslContext clientContext(@Nullable Path caFile) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .endpointIdentificationAlgorithm("HTTPS");
      if (caFile != null) {
        List<X509Certificate> trusted = new ArrayList<>(jvmTrusted());
        trusted.addAll(readPem(caFile));
        b.trustManager(trusted);
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> jvmTrusted() {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          return Arrays.asList(x.getAcceptedIssuers());
        }
      }
      return List.of();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM's trust store cannot be read", e);
    }
  }

  static List<X509Certificate> readPem(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      List<X509Certificate> certs = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (c instanceof X509Certificate x) {
          certs.add(x);
        }
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("caFile " + caFile + " holds no PEM certificate");
      }
      return certs;
    } catch (IOException e) {
      throw new UncheckedIOException("caFile " + caFile + " cannot be read: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("caFile " + caFile + " is not a PEM certificate bundle: " + e.getMessage(), e);
    }
  }
}

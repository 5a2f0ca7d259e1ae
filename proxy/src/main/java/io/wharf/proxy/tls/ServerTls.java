package io.wharf.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.HttpsListenerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener's TLS: the certificate it presents and a new {@link SslHandler} for each
 * connection.
 *
 * <p>The certificate is the operator's ({@code server.https.certFile} and {@code keyFile}) or, when
 * none is given, the self-signed one kept in {@code <storage.path>/tls/} (see {@link
 * KeptCertificate}). The operator's files are watched without a thread: when a connection arrives
 * and a second has passed since the last look, their identity, time and size are compared with
 * what was loaded, and a change builds a new context, which every later connection gets
 * (connections already open keep theirs). A changed pair that cannot be used (half-written, a key
 * not yet replaced) is logged once and the previous certificate kept; the next change is tried
 * again.
 *
 * <p>Thread-safe: event loops call {@link #newHandler} concurrently; one of them at a time looks at
 * the files, the others go on with the current context.
 */
public final class ServerTls {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
  /** The least time between two looks at the operator's files. */
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
  /** Plain bytes handed to OpenSSL per wrap (Netty's default is one record, 16 KiB). */
  static final int WRAP_DATA_SIZE = 64 * 1024;

  /** What is served now: a certificate and the context presenting it. */
  private record Serving(CertifiedKey certificate, SslContext context) {}

  private final SslProvider provider;
  private final @Nullable OperatorCertificate operator;
  private final LongSupplier nanoTime;
  private final ReentrantLock checking = new ReentrantLock();
  private volatile Serving serving;
  // guarded by checking
  private long nextCheck;
  private OperatorCertificate.@Nullable Stamp loaded;
  private OperatorCertificate.@Nullable Stamp refused;

  private ServerTls(SslProvider provider, @Nullable OperatorCertificate operator, CertifiedKey certificate,
      OperatorCertificate.@Nullable Stamp stamp, LongSupplier nanoTime) {
    this.provider = provider;
    this.operator = operator;
    this.nanoTime = nanoTime;
    this.loaded = stamp;
    this.serving = new Serving(certificate, context(certificate, provider));
    this.nextCheck = nanoTime.getAsLong() + CHECK_INTERVAL.toNanos();
  }

  /**
   * The TLS of an HTTPS listener: the operator's certificate, or the kept self-signed one (made
   * now on first start) for the names of this host and {@code server.https.sans}. Logs one line:
   * the provider, and the certificate's subject, names and SHA-256 fingerprint.
   *
   * @param dataRoot {@code storage.path}, where a self-signed certificate is kept
   * @throws ConfigException for an operator certificate or key that cannot be used, or an {@code
   *     openssl} provider that does not load, naming the key and file
   */
  public static ServerTls open(HttpsListenerConfig config, Path dataRoot) {
    return open(config, dataRoot, Clock.systemUTC(), System::nanoTime);
  }

  static ServerTls open(HttpsListenerConfig config, Path dataRoot, Clock clock, LongSupplier nanoTime) {
    requireNonNull(config, "config");
    requireNonNull(dataRoot, "dataRoot");
    SslProvider provider = TlsContexts.provider(config.provider());
    ServerTls tls;
    String source;
    if (config.hasOperatorCertificate()) {
      OperatorCertificate operator = new OperatorCertificate(
          Objects.requireNonNull(config.certFile()), Objects.requireNonNull(config.keyFile()));
      OperatorCertificate.Stamp stamp = operator.stamp();
      CertifiedKey certificate = operator.load();
      warnIfExpired(certificate, clock);
      tls = new ServerTls(provider, operator, certificate, stamp, nanoTime);
      source = operator.certFile().toString();
    } else {
      CertifiedKey certificate = KeptCertificate.open(
          dataRoot, config.sans(), () -> SubjectNames.ofThisHost(config.sans()), clock);
      tls = new ServerTls(provider, null, certificate, null, nanoTime);
      source = KeptCertificate.certificateFile(dataRoot) + " (self-signed)";
    }
    CertifiedKey c = tls.certificate();
    log.atInfo()
        .addKeyValue("provider", TlsContexts.describe(provider))
        .addKeyValue("certificate", source)
        .addKeyValue("subject", c.subject())
        .addKeyValue("sans", String.join(",", c.subjectAltNames()))
        .addKeyValue("sha256", c.fingerprint())
        .addKeyValue("notAfter", c.leaf().getNotAfter().toInstant())
        .log("https: serving " + c.subject());
    return tls;
  }

  /** The path of the self-signed certificate wharf keeps under {@code dataRoot}, whether or not it exists. */
  public static Path keptCertificateFile(Path dataRoot) {
    return KeptCertificate.certificateFile(dataRoot);
  }

  /**
   * A TLS handler for a new connection, presenting the current certificate; first looks at the
   * operator's files when a second has passed since the last look.
   */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    if (operator != null) {
      reloadIfChanged();
    }
    SslHandler handler = serving.context().newHandler(alloc);
    if (provider != SslProvider.JDK) {
      // OpenSSL seals several 16 KiB records per call: fewer calls into it for a large body
      handler.setWrapDataSize(WRAP_DATA_SIZE);
    }
    return handler;
  }

  /** The certificate new connections are served. */
  public CertifiedKey certificate() {
    return serving.certificate();
  }

  /** Which implementation serves TLS: {@link SslProvider#OPENSSL} or {@link SslProvider#JDK}. */
  public SslProvider provider() {
    return provider;
  }

  private void reloadIfChanged() {
    long now = nanoTime.getAsLong();
    if (now - nextCheck < 0 || !checking.tryLock()) {
      return;
    }
    try {
      if (now - nextCheck < 0) {
        return; // another thread looked meanwhile
      }
      nextCheck = now + CHECK_INTERVAL.toNanos();
      OperatorCertificate op = Objects.requireNonNull(operator);
      OperatorCertificate.Stamp stamp = op.stamp();
      if (stamp.equals(loaded) || stamp.equals(refused)) {
        return;
      }
      try {
        CertifiedKey certificate = op.load();
        serving = new Serving(certificate, context(certificate, provider));
        loaded = stamp;
        refused = null;
        log.atInfo()
            .addKeyValue("certificate", op.certFile())
            .addKeyValue("subject", certificate.subject())
            .addKeyValue("sans", String.join(",", certificate.subjectAltNames()))
            .addKeyValue("sha256", certificate.fingerprint())
            .addKeyValue("notAfter", certificate.leaf().getNotAfter().toInstant())
            .log("https: certificate changed on disk; new connections get " + certificate.subject());
      } catch (RuntimeException e) {
        refused = stamp;
        log.atWarn()
            .addKeyValue("certificate", op.certFile())
            .log("https: the changed certificate cannot be used, still serving the previous one: " + e.getMessage());
      }
    } finally {
      checking.unlock();
    }
  }

  private static SslContext context(CertifiedKey certificate, SslProvider provider) {
    try {
      return TlsContexts.build(certificate, provider);
    } catch (SSLException | RuntimeException e) {
      throw ConfigException.forKey(OperatorCertificate.KEY_KEY,
          "TLS (" + TlsContexts.describe(provider) + ") refuses the certificate " + certificate.subject()
              + " and its key: " + e.getMessage());
    }
  }

  private static void warnIfExpired(CertifiedKey certificate, Clock clock) {
    if (!certificate.leaf().getNotAfter().toInstant().isAfter(clock.instant())) {
      log.atWarn()
          .addKeyValue("subject", certificate.subject())
          .log("https: the operator's certificate expired on " + certificate.leaf().getNotAfter().toInstant()
              + "; clients will refuse it");
    }
  }
}

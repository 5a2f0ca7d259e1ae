package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * A request that failed below HTTP: no connection, a proxy or TLS refusal, a reset, a read timeout,
 * a body shorter than announced. Internal to the package; callers see {@link #toOciException}.
 */
final class TransportException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong; each kind is one detail string of the UNAVAILABLE a caller sees. */
  enum Kind {
    /** No connection: DNS, refused, connect timeout, a proxy that would not tunnel. */
    CONNECT("connect failed"),
    /** The TLS handshake failed (an untrusted certificate): retrying cannot help. */
    TLS("tls handshake failed"),
    /** The connection closed or reset while a response was awaited or read. */
    RESET("connection reset"),
    /** A reused keep-alive connection closed before any answer: resent once on a new one. */
    STALE("stale connection"),
    /** Nothing arrived for the read timeout. */
    TIMEOUT("read timeout"),
    /** The body ended before its Content-Length. */
    TRUNCATED("truncated"),
    /** The upstream's bytes were not HTTP. */
    PROTOCOL("bad response"),
    /** The caller cancelled. */
    CANCELLED("cancelled");

    private final String detail;

    Kind(String detail) {
      this.detail = detail;
    }

    /** The detail of the UNAVAILABLE this failure becomes. */
    String detail() {
      return detail;
    }
  }

  private final Kind kind;

  TransportException(Kind kind, String message) {
    this(kind, message, null);
  }

  TransportException(Kind kind, String message, @Nullable Throwable cause) {
    super(requireNonNull(message, "message"), cause, false, false);
    this.kind = requireNonNull(kind, "kind");
  }

  /**
   * What a Netty or JDK failure on a connection to {@code origin} means.
   *
   * @param maybeStale the connection was reused and nothing of the response arrived yet
   */
  static TransportException of(Throwable c, Origin origin, boolean maybeStale) {
    if (c instanceof TransportException t) {
      return t;
    }
    String what = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    for (Throwable t = c; t != null; t = t.getCause()) {
      if (t instanceof CertificateException) { // an untrusted chain or a name it does not cover
        return new TransportException(Kind.TLS, "tls handshake with " + origin + " failed: " + t.getMessage(), c);
      }
      if (t instanceof SslHandshakeTimeoutException) {
        return new TransportException(Kind.CONNECT, "tls handshake with " + origin + " timed out", c);
      }
    }
    if (maybeStale && c instanceof IOException && !(c instanceof SSLException)) {
      return new TransportException(Kind.STALE, "connection to " + origin + " failed before the response: " + what, c);
    }
    if (c instanceof DecoderException && !(c.getCause() instanceof SSLException)) {
      return new TransportException(Kind.PROTOCOL, "malformed response from " + origin + ": " + what, c);
    }
    return new TransportException(Kind.RESET, "connection to " + origin + " failed: " + what, c);
  }

  Kind kind() {
    return kind;
  }

  /**
   * Whether trying again (on a new connection, after a backoff) is worth it. Not after a TLS
   * refusal, which would recur, nor after a read timeout: an upstream that hangs would cost each
   * request (retries + 1) timeouts, and the circuit breaker needs to hear of it at once.
   */
  boolean retryable() {
    return kind != Kind.TLS && kind != Kind.CANCELLED && kind != Kind.TIMEOUT;
  }

  /** What a caller sees: UNAVAILABLE, the kind as detail, the cause's text in the message. */
  OciException toOciException() {
    return new OciException(OciError.UNAVAILABLE, getMessage(), kind.detail());
  }
}

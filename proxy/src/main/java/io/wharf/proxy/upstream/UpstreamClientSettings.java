package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the upstream client connects, waits and retries; one value shared by every upstream.
 *
 * @param connectTimeout the TCP connect, and again each of the proxy CONNECT and the TLS handshake
 * @param readTimeout the longest silence while bytes are awaited: before the response headers and
 *     between body bytes (time spent waiting for a slow {@link BlobSink} does not count)
 * @param retries how many more times an idempotent request is tried after a retryable failure
 *     (connect failure, 5xx, 429, a reset before any body byte reached the sink); 0 tries once
 * @param maxConnectionsPerHost pooled keep-alive connections per scheme, host and port
 * @param acquireTimeout how long a request waits for a pooled connection while all are busy
 * @param backoffBase the first retry's delay before jitter; each later retry doubles it
 * @param backoffMax the longest backoff delay
 * @param maxRetryAfter the longest {@code Retry-After} a 429 may ask for; a 429 asking for longer
 *     fails at once with TOOMANYREQUESTS (the caller has a cached copy to serve)
 */
public record UpstreamClientSettings(
    Duration connectTimeout,
    Duration readTimeout,
    int retries,
    int maxConnectionsPerHost,
    Duration acquireTimeout,
    Duration backoffBase,
    Duration backoffMax,
    Duration maxRetryAfter) {
  /** 5 s to connect, 30 s of silence, 3 retries, 16 connections per host. */
  public static final UpstreamClientSettings DEFAULTS =
      of(Duration.ofSeconds(5), Duration.ofSeconds(30), 3);

  public UpstreamClientSettings {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(readTimeout, "readTimeout");
    requirePositive(acquireTimeout, "acquireTimeout");
    requirePositive(backoffBase, "backoffBase");
    requirePositive(backoffMax, "backoffMax");
    requireNonNull(maxRetryAfter, "maxRetryAfter");
    if (retries < 0) {
      throw new IllegalArgumentException("retries < 0");
    }
    if (maxConnectionsPerHost <= 0) {
      throw new IllegalArgumentException("maxConnectionsPerHost <= 0");
    }
    if (maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("maxRetryAfter < 0");
    }
  }

  /**
   * The three values config sets ({@code pullThrough.connectTimeout}, {@code readTimeout},
   * {@code retries}), the rest at their defaults: 16 connections per host, 30 s to wait for one,
   * backoff 100 ms doubling up to 5 s, Retry-After honoured up to 30 s.
   */
  public static UpstreamClientSettings of(Duration connectTimeout, Duration readTimeout, int retries) {
    return new UpstreamClientSettings(
        connectTimeout,
        readTimeout,
        retries,
        16,
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30));
  }

  private static void requirePositive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " <= 0");
    }
  }
}

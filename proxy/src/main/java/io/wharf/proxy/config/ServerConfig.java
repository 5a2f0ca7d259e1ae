package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The HTTP server: where it listens and the limits it puts on each connection.
 *
 * @param http the plain-HTTP listener
 * @param https the HTTPS listener
 * @param ioThreads Netty event-loop threads; 0 means Netty's default (twice the CPU cores)
 * @param maxHeaderSize cap on the request line plus headers of one request
 * @param idleTimeout a connection idle this long is closed; 0 never closes one
 * @param maxManifestSize cap on a manifest body a client pushes
 * @param maxHeaderCount cap on the number of header lines of one request
 * @param headerTimeout a request whose line and headers are not all in this long after its first
 *     byte (or after the connection opened) is answered 408 and the connection closed: the cure for
 *     slowloris clients, which the idle timeout alone does not catch (they send a byte at a time)
 * @param maxConnections cap on open client connections over both listeners; a connection past it
 *     is closed at once
 */
public record ServerConfig(
    HttpListenerConfig http,
    HttpsListenerConfig https,
    int ioThreads,
    DataSize maxHeaderSize,
    Duration idleTimeout,
    DataSize maxManifestSize,
    int maxHeaderCount,
    Duration headerTimeout,
    int maxConnections) {
  public ServerConfig {
    requireNonNull(http, "http");
    requireNonNull(maxHeaderSize, "maxHeaderSize");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(maxManifestSize, "maxManifestSize");
    requireNonNull(https, "https");
    requireNonNull(headerTimeout, "headerTimeout");
    if (maxHeaderCount < 1) {
      throw ConfigException.forKey("maxHeaderCount", maxHeaderCount + " is below 1");
    }
    if (headerTimeout.isNegative() || headerTimeout.isZero()) {
      throw ConfigException.forKey("headerTimeout", "must be positive");
    }
    if (maxConnections < 1) {
      throw ConfigException.forKey("maxConnections", maxConnections + " is below 1");
    }
    if (ioThreads < 0) {
      throw ConfigException.forKey(
          "ioThreads", ioThreads + " is negative (0 means Netty's default, 2 x CPU cores)");
    }
    requireIntSize("maxHeaderSize", maxHeaderSize);
    requireIntSize("maxManifestSize", maxManifestSize);
    if (idleTimeout.isNegative()) {
      throw ConfigException.forKey("idleTimeout", "cannot be negative");
    }
  }

  /** This server section with the certificate paths resolved against {@code directory}. */
  ServerConfig withPathsUnder(java.nio.file.Path directory) {
    return new ServerConfig(
        http, https.withPathsUnder(directory), ioThreads, maxHeaderSize, idleTimeout,
        maxManifestSize, maxHeaderCount, headerTimeout, maxConnections);
  }

  // Netty's decoder limits and the manifest buffer are ints
  private static void requireIntSize(String key, DataSize size) {
    if (size.bytes() < 1 || size.bytes() > Integer.MAX_VALUE) {
      throw ConfigException.forKey(key, size + " is not between 1B and 2GiB");
    }
  }
}

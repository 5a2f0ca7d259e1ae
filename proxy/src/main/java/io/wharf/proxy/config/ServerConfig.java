package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The HTTP server: where it listens and the limits it puts on each connection.
 *
 * @param http the plain-HTTP listener
 * @param ioThreads Netty event-loop threads; 0 means Netty's default (twice the CPU cores)
 * @param maxHeaderSize cap on the request line plus headers of one request
 * @param idleTimeout a connection idle this long is closed; 0 never closes one
 * @param maxManifestSize cap on a manifest body a client pushes
 */
public record ServerConfig(
    HttpListenerConfig http,
    int ioThreads,
    DataSize maxHeaderSize,
    Duration idleTimeout,
    DataSize maxManifestSize) {
  public ServerConfig {
    requireNonNull(http, "http");
    requireNonNull(maxHeaderSize, "maxHeaderSize");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(maxManifestSize, "maxManifestSize");
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

  // Netty's decoder limits and the manifest buffer are ints
  private static void requireIntSize(String key, DataSize size) {
    if (size.bytes() < 1 || size.bytes() > Integer.MAX_VALUE) {
      throw ConfigException.forKey(key, size + " is not between 1B and 2GiB");
    }
  }
}

package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

/**
 * The plain-HTTP listener, for containerd and clients on the same host.
 *
 * @param listen the address to bind; port 0 picks a free one
 */
public record HttpListenerConfig(HostAndPort listen) {
  public HttpListenerConfig {
    requireNonNull(listen, "listen");
  }
}

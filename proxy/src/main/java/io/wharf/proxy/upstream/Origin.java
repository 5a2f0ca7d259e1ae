package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Where a connection goes: scheme, host and port (RFC 6454). Connections are pooled per origin,
 * and credentials are only ever sent to the origin they belong to.
 *
 * @param host without IPv6 brackets, lower case
 */
record Origin(String scheme, String host, int port) {
  Origin {
    requireNonNull(scheme, "scheme");
    requireNonNull(host, "host");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("not http or https: " + scheme);
    }
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * The origin of an absolute http(s) URL.
   *
   * @throws IllegalArgumentException when the URL is not absolute http(s) with a host
   */
  static Origin of(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("no host in " + Redacted.url(url));
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    return new Origin(scheme, host, port);
  }

  boolean tls() {
    return scheme.equals("https");
  }

  /** {@code host:port} as a CONNECT request and NO_PROXY entries write it. */
  String authority() {
    return bracketed() + ":" + port;
  }

  /** The Host header: the port only when it is not the scheme's default. */
  String hostHeader() {
    boolean defaultPort = port == (tls() ? 443 : 80);
    return defaultPort ? bracketed() : authority();
  }

  InetSocketAddress unresolvedAddress() {
    return InetSocketAddress.createUnresolved(host, port);
  }

  private String bracketed() {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  @Override
  public String toString() {
    return scheme + "://" + authority();
  }
}

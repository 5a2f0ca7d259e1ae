package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A host and a port to listen on or dial, written {@code 127.0.0.1:5050}, {@code localhost:0} or,
 * for IPv6, {@code [::1]:5050}; port 0 asks the kernel for a free port.
 *
 * <p>The host is a DNS name, an IPv4 address or an IPv6 address (kept without its brackets). {@link
 * #toString()} writes the form {@link #parse} reads.
 */
public record HostAndPort(String host, int port) {
  static final String EXAMPLES = "examples: 127.0.0.1:5050, 0.0.0.0:30003, [::1]:5050, localhost:0";

  // RFC 1123 labels; an all-numeric name must then be a dotted-quad IPv4 address
  private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
  private static final Pattern HOSTNAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
  private static final Pattern NUMERIC = Pattern.compile("[0-9.]+");
  private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");
  // first character hex or ':' so that InetAddress treats it as a literal and never asks DNS
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]{1,44}");
  private static final Pattern PORT = Pattern.compile("0|[1-9][0-9]{0,4}");

  public HostAndPort {
    requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not in 0..65535");
    }
    String problem = hostProblem(host);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Parses {@code HOST:PORT}.
   *
   * @throws IllegalArgumentException naming the text, what is wrong and the accepted forms
   */
  public static HostAndPort parse(String text) {
    requireNonNull(text, "text");
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw bad(text, "an IPv6 address is written [ADDRESS]:PORT");
      }
      host = text.substring(1, close);
      if (host.indexOf(':') < 0) {
        throw bad(text, "only IPv6 addresses are written in brackets");
      }
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw bad(text, "a port is required");
      }
      host = text.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw bad(text, "write an IPv6 address in brackets, like [::1]:5050");
      }
      port = text.substring(colon + 1);
    }
    if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
      throw bad(text, "the port must be a number in 0..65535");
    }
    String problem = hostProblem(host);
    if (problem != null) {
      throw bad(text, problem);
    }
    return new HostAndPort(host, Integer.parseInt(port));
  }

  /** A socket address to bind or connect to; a DNS name is resolved now. */
  public InetSocketAddress toSocketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  private static @Nullable String hostProblem(String host) {
    if (host.isEmpty()) {
      return "the host is empty (0.0.0.0 listens on every IPv4 address)";
    }
    if (host.indexOf(':') >= 0) {
      return isIpv6(host) ? null : "'" + host + "' is not an IPv6 address";
    }
    if (host.length() > 253 || !HOSTNAME.matcher(host).matches()) {
      return "'" + host + "' is not a host name or an IP address";
    }
    if (NUMERIC.matcher(host).matches() && !IPV4.matcher(host).matches()) {
      return "'" + host + "' is not an IPv4 address";
    }
    return null;
  }

  private static boolean isIpv6(String host) {
    if (!IPV6_CHARS.matcher(host).matches()) {
      return false;
    }
    try {
      // a literal containing ':' is parsed, never looked up (InetAddress.getAllByName)
      return InetAddress.getByName(host) != null;
    } catch (UnknownHostException | IllegalArgumentException e) {
      return false;
    }
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException(
        "cannot parse '" + text + "' as HOST:PORT: " + why + " (" + EXAMPLES + ")");
  }
}

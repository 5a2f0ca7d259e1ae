package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which HTTP proxy, if any, a connection to an origin goes through: {@code HTTPS_PROXY} for https
 * origins, {@code HTTP_PROXY} for http ones, unless {@code NO_PROXY} names the host. Connections
 * through a proxy always tunnel with {@code CONNECT}, for http origins too.
 *
 * <p>{@code NO_PROXY} is a comma list, read as Go's {@code httpproxy} (containerd and kubelet on the
 * same host read it the same way): {@code *} bypasses every host; {@code example.com} matches that
 * host and its subdomains; {@code .example.com} (or {@code *.example.com}) only its subdomains;
 * {@code host:port} only that port; an IP literal that address; {@code 10.0.0.0/8} a CIDR block of
 * IP literals (no DNS lookup). Unlike Go, loopback hosts are not bypassed implicitly: NO_PROXY
 * decides, so a local upstream can be reached through a local proxy.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProxySelection {
  private static final ProxySelection NONE = new ProxySelection(null, null, List.of(), false);

  /**
   * An HTTP proxy.
   *
   * @param username for {@code Proxy-Authorization: Basic}, from the proxy URL's user info
   */
  public record ProxyServer(String host, int port, @Nullable String username, @Nullable String password) {
    public ProxyServer {
      requireNonNull(host, "host");
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }

    @Override
    public String toString() {
      return "ProxyServer[" + host + ":" + port + (username == null ? "" : ", user=" + username + ", password=<redacted>") + "]";
    }
  }

  private final @Nullable ProxyServer httpsProxy;
  private final @Nullable ProxyServer httpProxy;
  private final List<Rule> noProxy;
  private final boolean bypassAll;

  private ProxySelection(
      @Nullable ProxyServer httpsProxy, @Nullable ProxyServer httpProxy, List<Rule> noProxy, boolean bypassAll) {
    this.httpsProxy = httpsProxy;
    this.httpProxy = httpProxy;
    this.noProxy = noProxy;
    this.bypassAll = bypassAll;
  }

  /** Direct connections only. */
  public static ProxySelection none() {
    return NONE;
  }

  /**
   * Reads {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY}, each upper case first, then
   * lower case; an empty value is unset.
   *
   * @param env the process environment ({@code System.getenv()}) or a test's map
   * @throws IllegalArgumentException naming the variable when a proxy URL is not {@code
   *     [http://][user:password@]host[:port]}
   */
  public static ProxySelection fromEnvironment(Map<String, String> env) {
    requireNonNull(env, "env");
    String https = firstSet(env, "HTTPS_PROXY", "https_proxy");
    String http = firstSet(env, "HTTP_PROXY", "http_proxy");
    String no = firstSet(env, "NO_PROXY", "no_proxy");
    return of(
        https == null ? null : parseProxy("HTTPS_PROXY", https),
        http == null ? null : parseProxy("HTTP_PROXY", http),
        no == null ? "" : no);
  }

  /** The given proxies and NO_PROXY list (the syntax of the class comment). */
  public static ProxySelection of(@Nullable ProxyServer httpsProxy, @Nullable ProxyServer httpProxy, String noProxy) {
    requireNonNull(noProxy, "noProxy");
    List<Rule> rules = new ArrayList<>();
    boolean all = false;
    for (String entry : noProxy.split(",")) {
      String e = entry.trim().toLowerCase(Locale.ROOT);
      if (e.equals("*")) {
        all = true;
      } else if (!e.isEmpty()) {
        Rule r = Rule.parse(e);
        if (r != null) {
          rules.add(r);
        }
      }
    }
    return new ProxySelection(httpsProxy, httpProxy, List.copyOf(rules), all);
  }

  /** The proxy for connections to this URL's origin, or empty to connect directly. */
  public Optional<ProxyServer> find(URI url) {
    return Optional.ofNullable(select(Origin.of(url)));
  }

  @Nullable ProxyServer select(Origin origin) {
    ProxyServer proxy = origin.tls() ? httpsProxy : httpProxy;
    if (proxy == null || bypassAll) {
      return null;
    }
    for (Rule r : noProxy) {
      if (r.matches(origin.host(), origin.port())) {
        return null;
      }
    }
    return proxy;
  }

  @Override
  public String toString() {
    return "ProxySelection[https=" + httpsProxy + ", http=" + httpProxy + ", noProxy=" + (bypassAll ? "*" : noProxy) + "]";
  }

  private static @Nullable String firstSet(Map<String, String> env, String upper, String lower) {
    for (String k : new String[] {upper, lower}) {
      String v = env.get(k);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  static ProxyServer parseProxy(String variable, String value) {
    String text = value.contains("://") ? value : "http://" + value;
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(variable + ": not a proxy URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(
          variable + ": only http:// proxies are supported (CONNECT tunnels), not " + scheme + "://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(variable + ": no proxy host in " + Redacted.url(uri));
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    String userInfo = uri.getUserInfo(); // decoded: user%40corp -> user@corp
    String user = null;
    String password = null;
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      password = colon < 0 ? "" : userInfo.substring(colon + 1);
    }
    return new ProxyServer(host, port, user, password);
  }

  /** One NO_PROXY entry. */
  private record Rule(@Nullable String domain, boolean subdomainsOnly, byte @Nullable [] ip, int prefixBits, int port) {
    static @Nullable Rule parse(String e) {
      int slash = e.indexOf('/');
      if (slash > 0) {
        byte[] net = NetUtil.createByteArrayFromIpAddressString(e.substring(0, slash));
        int bits;
        try {
          bits = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException nfe) {
          return null;
        }
        return net == null || bits < 0 || bits > net.length * 8 ? null : new Rule(null, false, net, bits, -1);
      }
      String host = e;
      int port = -1;
      byte[] ip = NetUtil.createByteArrayFromIpAddressString(stripBrackets(host));
      if (ip == null) {
        int colon = host.lastIndexOf(':');
        if (colon > 0 && (host.indexOf(':') == colon || host.charAt(colon - 1) == ']')) {
          try {
            port = Integer.parseInt(host.substring(colon + 1));
          } catch (NumberFormatException nfe) {
            return null;
          }
          host = host.substring(0, colon);
          ip = NetUtil.createByteArrayFromIpAddressString(stripBrackets(host));
        }
      }
      if (ip != null) {
        return new Rule(null, false, ip, ip.length * 8, port);
      }
      if (host.startsWith("*.")) {
        host = host.substring(1);
      }
      boolean subdomainsOnly = host.startsWith(".");
      String domain = subdomainsOnly ? host.substring(1) : host;
      return domain.isEmpty() ? null : new Rule(domain, subdomainsOnly, null, 0, port);
    }

    boolean matches(String host, int hostPort) {
      if (port >= 0 && port != hostPort) {
        return false;
      }
      if (ip != null) {
        byte[] addr = NetUtil.createByteArrayFromIpAddressString(host);
        return addr != null && addr.length == ip.length && samePrefix(addr, ip, prefixBits);
      }
      String d = requireNonNull(domain);
      if (host.endsWith("." + d)) {
        return true;
      }
      return !subdomainsOnly && host.equals(d);
    }

    private static boolean samePrefix(byte[] a, byte[] b, int bits) {
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    private static String stripBrackets(String h) {
      return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Rule r
          && java.util.Objects.equals(domain, r.domain)
          && subdomainsOnly == r.subdomainsOnly
          && Arrays.equals(ip, r.ip)
          && prefixBits == r.prefixBits
          && port == r.port;
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(domain, subdomainsOnly, Arrays.hashCode(ip), prefixBits, port);
    }

    @Override
    public String toString() {
      String h = domain != null ? (subdomainsOnly ? "." : "") + domain : NetUtil.bytesToIpAddress(requireNonNull(ip)) + "/" + prefixBits;
      return port >= 0 ? h + ":" + port : h;
    }
  }
}

package io.wharf.proxy.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names a self-signed certificate is made for: the host name (its common name), DNS names
 * and IP addresses, each once, in a stable order.
 *
 * @param hostName the common name, also a DNS name
 * @param dnsNames DNS subject alternative names, the host name first
 * @param addresses IP subject alternative names
 */
public record SubjectNames(String hostName, List<String> dnsNames, List<InetAddress> addresses) {
  private static final Logger log = LoggerFactory.getLogger(SubjectNames.class);

  public SubjectNames {
    requireNonNull(hostName, "hostName");
    dnsNames = List.copyOf(dnsNames);
    addresses = List.copyOf(addresses);
  }

  /**
   * This host's names: its host name, every address of every interface (IPv4 and IPv6, loopback
   * included), {@code localhost}, 127.0.0.1 and ::1, then {@code configured} ({@code
   * server.https.sans}: an IP literal becomes an IP name, anything else a DNS name).
   */
  public static SubjectNames ofThisHost(Collection<String> configured) {
    return of(thisHostName(), interfaceAddresses(), configured);
  }

  /** The names of a host called {@code hostName} with these interface addresses. */
  static SubjectNames of(String hostName, Collection<InetAddress> interfaces, Collection<String> configured) {
    Set<String> dns = new LinkedHashSet<>();
    Set<String> ips = new LinkedHashSet<>(); // by spelling: one entry per address, zones dropped
    List<InetAddress> addresses = new ArrayList<>();
    dns.add(hostName.toLowerCase(Locale.ROOT));
    dns.add("localhost");
    List<InetAddress> all = new ArrayList<>(interfaces);
    all.add(IpLiterals.parse("127.0.0.1").orElseThrow());
    all.add(IpLiterals.parse("::1").orElseThrow());
    for (String name : configured) {
      var ip = IpLiterals.parse(name);
      if (ip.isPresent()) {
        all.add(ip.get());
      } else {
        dns.add(name.toLowerCase(Locale.ROOT));
      }
    }
    for (InetAddress a : all) {
      if (ips.add(IpLiterals.spell(a))) {
        addresses.add(withoutZone(a));
      }
    }
    return new SubjectNames(hostName, List.copyOf(dns), addresses);
  }

  /** These names as {@link CertifiedKey#subjectAltNames()} spells them. */
  public List<String> asSubjectAltNames() {
    List<String> names = new ArrayList<>();
    dnsNames.forEach(d -> names.add("DNS:" + d));
    addresses.forEach(a -> names.add("IP:" + IpLiterals.spell(a)));
    return names;
  }

  /**
   * {@code configured} ({@code server.https.sans}) as subject alternative names, for checking a
   * kept certificate still covers them.
   */
  static List<String> asSubjectAltNames(Collection<String> configured) {
    return configured.stream()
        .map(n -> IpLiterals.parse(n).map(a -> "IP:" + IpLiterals.spell(a)).orElse("DNS:" + n.toLowerCase(Locale.ROOT)))
        .toList();
  }

  /**
   * The host name: what the kernel calls this host. {@code InetAddress.getLocalHost()} resolves it,
   * which fails on hosts without their own name in DNS or /etc/hosts; the name itself is known.
   */
  static String thisHostName() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException notLinux) {
      // fall through to the JDK's way
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      log.atWarn().log("cannot tell this host's name (" + e.getMessage() + "); the certificate names localhost");
      return "localhost";
    }
  }

  /** Every address of every interface, loopback included. */
  static List<InetAddress> interfaceAddresses() {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
      while (interfaces != null && interfaces.hasMoreElements()) {
        // down ones too: an interface brought up later still finds its address named
        addresses.addAll(interfaces.nextElement().inetAddresses().toList());
      }
    } catch (SocketException e) {
      log.atWarn().log("cannot list the network interfaces (" + e.getMessage() + "); the certificate names loopback only");
    }
    return addresses;
  }

  private static InetAddress withoutZone(InetAddress a) {
    try {
      return InetAddress.getByAddress(a.getAddress());
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }
}

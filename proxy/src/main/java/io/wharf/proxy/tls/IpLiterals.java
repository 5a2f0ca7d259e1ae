package io.wharf.proxy.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** IP address literals: recognising them without a DNS lookup, and one spelling for each. */
final class IpLiterals {
  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private IpLiterals() {}

  /**
   * The address {@code text} spells, when it is an IPv4 or IPv6 literal (brackets and a zone
   * allowed, the zone dropped); empty for a host name. Never resolves anything.
   */
  static Optional<InetAddress> parse(String text) {
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    int zone = t.indexOf('%');
    if (zone >= 0) {
      t = t.substring(0, zone);
    }
    if (!IPV4.matcher(t).matches() && !IPV6.matcher(t).matches()) {
      return Optional.empty();
    }
    try {
      // a literal: getByName parses it without any lookup
      return Optional.of(InetAddress.getByAddress(InetAddress.getByName(t).getAddress()));
    } catch (UnknownHostException e) {
      return Optional.empty(); // looked like one (":::::") but is not
    }
  }

  /** One spelling per address: {@code 127.0.0.1}, {@code ::1} (compressed IPv6, no zone). */
  static String normalize(String literal) {
    return parse(literal).map(IpLiterals::spell).orElse(literal);
  }

  static String spell(InetAddress address) {
    String s = address.getHostAddress();
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (s.indexOf(':') < 0) {
      return s;
    }
    return compress(s);
  }

  // Java spells IPv6 in full (0:0:0:0:0:0:0:1); RFC 5952 compresses the longest run of zeros
  private static String compress(String full) {
    String[] groups = full.split(":");
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < groups.length; ) {
      if (groups[i].equals("0")) {
        int j = i;
        while (j < groups.length && groups[j].equals("0")) {
          j++;
        }
        if (j - i > bestLength && j - i > 1) {
          bestStart = i;
          bestLength = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    if (bestStart < 0) {
      return full;
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    return head + "::" + tail;
  }
}

package io.wharf.proxy.route.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The media types a client accepts, from all of its {@code Accept} headers (RFC 9110 section
 * 12.5.1), for manifest negotiation as registry:2 does it.
 *
 * <p>Each header is a comma-separated list of {@code type/subtype} with parameters; {@code q}
 * weights are honoured (q=0 refuses a type, the most specific matching range decides, RFC 9110
 * 12.4.2). Elements that do not parse are skipped, as distribution skips them; a client that sent
 * no usable element at all (no header, or only garbage) accepts anything, so an old client never
 * loses a manifest to a typo. Never throws.
 */
public final class AcceptHeader {
  /** Elements past this many are ignored: a header is bounded by the decoder, this bounds the work. */
  private static final int MAX_ELEMENTS = 256;

  private static final AcceptHeader ANY = new AcceptHeader(List.of());

  private final List<Entry> entries;

  /** One media range with its weight, in thousandths (q=0.5 is 500). */
  private record Entry(String type, String subtype, int q) {
    int specificity() {
      return type.equals("*") ? 0 : subtype.equals("*") ? 1 : 2;
    }

    boolean matches(String t, String s) {
      return (type.equals("*") || type.equals(t)) && (subtype.equals("*") || subtype.equals(s));
    }
  }

  private AcceptHeader(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads every {@code Accept} header of a request, in order; an empty list means none was sent. */
  public static AcceptHeader parse(List<String> headers) {
    List<Entry> entries = new ArrayList<>();
    for (String header : headers) {
      for (String element : split(header)) {
        if (entries.size() >= MAX_ELEMENTS) {
          break;
        }
        Entry e = entry(element);
        if (e != null) {
          entries.add(e);
        }
      }
    }
    return entries.isEmpty() ? ANY : new AcceptHeader(entries);
  }

  /** Whether the client sent no usable preference: anything is acceptable. */
  public boolean acceptsAnything() {
    return entries.isEmpty();
  }

  /** Whether the client accepts {@code mediaType} (its parameters ignored) with a weight above 0. */
  public boolean accepts(String mediaType) {
    return quality(mediaType) > 0;
  }

  /** Whether the client accepts at least one of the types. */
  public boolean acceptsAnyOf(Collection<String> mediaTypes) {
    for (String t : mediaTypes) {
      if (accepts(t)) {
        return true;
      }
    }
    return false;
  }

  /** The weight of a type in thousandths: that of the most specific matching range, 0 when none. */
  int quality(String mediaType) {
    if (entries.isEmpty()) {
      return 1000;
    }
    String bare = bare(mediaType);
    int slash = bare.indexOf('/');
    if (slash < 0) {
      return 0;
    }
    String t = bare.substring(0, slash);
    String s = bare.substring(slash + 1);
    int bestSpecificity = -1;
    int q = 0;
    for (Entry e : entries) {
      if (!e.matches(t, s)) {
        continue;
      }
      int spec = e.specificity();
      if (spec > bestSpecificity) {
        bestSpecificity = spec;
        q = e.q;
      } else if (spec == bestSpecificity) {
        q = Math.max(q, e.q); // the same range twice: the client meant the better weight
      }
    }
    return q;
  }

  @Override
  public String toString() {
    if (entries.isEmpty()) {
      return "*/*";
    }
    StringBuilder b = new StringBuilder();
    for (Entry e : entries) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(e.type).append('/').append(e.subtype);
      if (e.q != 1000) {
        b.append(";q=").append(e.q / 1000).append('.').append(String.format(Locale.ROOT, "%03d", e.q % 1000));
      }
    }
    return b.toString();
  }

  // Splits on commas outside quoted strings (a parameter value may be "a,b").
  private static List<String> split(String header) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(header.substring(start, i));
        start = i + 1;
      }
    }
    out.add(header.substring(start));
    return out;
  }

  private static @Nullable Entry entry(String element) {
    String[] parts = element.split(";", -1);
    String range = parts[0].trim().toLowerCase(Locale.ROOT);
    int slash = range.indexOf('/');
    if (slash <= 0 || slash == range.length() - 1) {
      return null;
    }
    String type = range.substring(0, slash);
    String subtype = range.substring(slash + 1);
    if (!isToken(type) || !isToken(subtype) || (type.equals("*") && !subtype.equals("*"))) {
      return null;
    }
    int q = 1000;
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("q")) {
        q = weight(p.substring(eq + 1).trim());
        if (q < 0) {
          return null;
        }
      }
    }
    return new Entry(type, subtype, q);
  }

  /** RFC 9110 12.4.2: {@code 0[.ddd]} or {@code 1[.000]}, as thousandths; -1 when invalid. */
  private static int weight(String v) {
    if (v.isEmpty() || v.length() > 5 || (v.charAt(0) != '0' && v.charAt(0) != '1')) {
      return -1;
    }
    int whole = v.charAt(0) - '0';
    if (v.length() == 1) {
      return whole * 1000;
    }
    if (v.charAt(1) != '.') {
      return -1;
    }
    int frac = 0;
    int digits = 0;
    for (int i = 2; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      frac = frac * 10 + (c - '0');
      digits++;
    }
    while (digits++ < 3) {
      frac *= 10;
    }
    if (whole == 1 && frac != 0) {
      return -1;
    }
    return whole * 1000 + frac;
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private static String bare(String mediaType) {
    int semi = mediaType.indexOf(';');
    return (semi < 0 ? mediaType : mediaType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}

package io.wharf.proxy.route.http;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Range} header of a blob GET (RFC 9110 section 14.2), read from untrusted text.
 *
 * <ul>
 *   <li>No header, or a unit other than {@code bytes}: the whole blob (RFC 9110: a server MUST
 *       ignore a range unit it does not understand).
 *   <li>One range, {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-suffix}: that range, its
 *       end clamped to the blob.
 *   <li>Several ranges: the whole blob with 200, as RFC 9110 allows ("a server MAY ignore the
 *       Range header field"); no registry client asks for several, and multipart/byteranges would
 *       give up sendfile.
 *   <li>A malformed {@code bytes=} value or a range that starts past the end:
 *       {@link OciError#RANGE_INVALID} (416), as Go's {@code http.ServeContent}, which
 *       distribution uses, answers.
 * </ul>
 *
 * <p>Only {@link OciException} escapes.
 */
public final class RangeHeader {
  /** More digits than this cannot be a position in a file (and would overflow a long). */
  private static final int MAX_DIGITS = 18;
  /** Hostile headers with thousands of ranges are refused without building them. */
  private static final int MAX_RANGES = 100;

  /** An inclusive byte range {@code [start, end]} inside the blob. */
  public record ByteRange(long start, long end) {
    public ByteRange {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("not a range: " + start + "-" + end);
      }
    }

    /** The number of bytes the range covers. */
    public long length() {
      return end - start + 1;
    }

    /** The {@code Content-Range} value of a 206, {@code bytes a-b/size}. */
    public String contentRange(long size) {
      return "bytes " + start + "-" + end + "/" + size;
    }
  }

  private RangeHeader() {}

  /**
   * Reads the header against a blob of {@code size} bytes.
   *
   * @param header the header value, or null when absent
   * @param size the blob's size, at least 0
   * @return the one range to serve with 206, or empty to serve the whole blob with 200
   * @throws OciException RANGE_INVALID (416) when the value is malformed or not satisfiable
   */
  public static Optional<ByteRange> parse(@Nullable String header, long size) {
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
    if (header == null) {
      return Optional.empty();
    }
    int eq = header.indexOf('=');
    String unit = (eq < 0 ? header : header.substring(0, eq)).trim();
    if (!unit.toLowerCase(Locale.ROOT).equals("bytes")) {
      return Optional.empty(); // an unknown unit is ignored, not refused
    }
    if (eq < 0) {
      throw malformed(header);
    }
    String set = header.substring(eq + 1);
    Spec only = null;
    int count = 0;
    int start = 0;
    while (start <= set.length()) {
      int comma = set.indexOf(',', start);
      int end = comma < 0 ? set.length() : comma;
      String element = set.substring(start, end).trim();
      start = end + 1;
      if (element.isEmpty()) {
        continue; // RFC 9110 5.6.1: recipients ignore empty list elements
      }
      if (++count > MAX_RANGES) {
        throw malformed(header);
      }
      Spec spec = spec(element, header);
      if (only == null) {
        only = spec;
      }
    }
    if (only == null) {
      throw malformed(header);
    }
    if (count > 1) {
      return Optional.empty();
    }
    return Optional.of(only.resolve(size));
  }

  /** One {@code first-last}, {@code first-} or {@code -suffix}; -1 marks an absent number. */
  private record Spec(long first, long last, long suffix) {
    ByteRange resolve(long size) {
      if (suffix >= 0) {
        if (suffix == 0 || size == 0) {
          throw unsatisfiable(size);
        }
        return new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      if (first >= size) {
        throw unsatisfiable(size);
      }
      long end = last < 0 ? size - 1 : Math.min(last, size - 1);
      return new ByteRange(first, end);
    }
  }

  private static Spec spec(String element, String header) {
    int dash = element.indexOf('-');
    if (dash < 0) {
      throw malformed(header);
    }
    String left = element.substring(0, dash);
    String right = element.substring(dash + 1);
    if (left.isEmpty()) {
      return new Spec(-1, -1, number(right, header));
    }
    long first = number(left, header);
    if (right.isEmpty()) {
      return new Spec(first, -1, -1);
    }
    long last = number(right, header);
    if (last < first) {
      throw malformed(header); // RFC 9110 14.1.1: invalid when last-pos < first-pos
    }
    return new Spec(first, last, -1);
  }

  private static long number(String digits, String header) {
    if (digits.isEmpty() || digits.length() > MAX_DIGITS) {
      throw malformed(header);
    }
    long n = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        throw malformed(header);
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static OciException malformed(String header) {
    String shown = header.length() > 80 ? header.substring(0, 80) + "..." : header;
    return new OciException(OciError.RANGE_INVALID, "malformed Range header: " + printable(shown));
  }

  private static OciException unsatisfiable(long size) {
    return new OciException(OciError.RANGE_INVALID, "range not satisfiable for a blob of " + size + " bytes");
  }

  /** The text with anything outside printable ASCII replaced, so it is safe in an error body. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}

package io.wharf.proxy.route.http;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;

/**
 * The {@code Content-Range} of an upload chunk: {@code <start>-<end>} as the distribution spec
 * writes it, also accepting the RFC 9110 form {@code bytes <start>-<end>[/<size>]} that some
 * clients send. Only {@link OciException} escapes.
 */
public final class ContentRangeHeader {
  private static final int MAX_DIGITS = 18;

  /** The inclusive byte span a chunk declares. */
  public record Span(long start, long end) {
    public Span {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("not a span: " + start + "-" + end);
      }
    }

    public long length() {
      return end - start + 1;
    }
  }

  private ContentRangeHeader() {}

  /**
   * Reads the header.
   *
   * @throws OciException RANGE_INVALID (416: the spec's answer to an invalid Content-Range)
   */
  public static Span parse(String header) {
    String v = header.trim();
    if (v.regionMatches(true, 0, "bytes", 0, 5)) {
      v = v.substring(5);
      if (!v.isEmpty() && (v.charAt(0) == ' ' || v.charAt(0) == '=')) {
        v = v.substring(1).trim();
      }
    }
    int slash = v.indexOf('/');
    if (slash >= 0) {
      v = v.substring(0, slash);
    }
    int dash = v.indexOf('-');
    if (dash <= 0 || dash == v.length() - 1) {
      throw malformed(header);
    }
    long start = digits(v.substring(0, dash));
    long end = digits(v.substring(dash + 1));
    if (start < 0 || end < 0 || end < start) {
      throw malformed(header);
    }
    return new Span(start, end);
  }

  private static long digits(String s) {
    if (s.isEmpty() || s.length() > MAX_DIGITS) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static OciException malformed(String header) {
    String shown = header.length() > 80 ? header.substring(0, 80) + "..." : header;
    return new OciException(
        OciError.RANGE_INVALID, "malformed Content-Range '" + RangeHeader.printable(shown) + "', expected <start>-<end>");
  }
}

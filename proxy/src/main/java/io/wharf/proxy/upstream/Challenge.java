package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme and its
 * parameters, such as {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io"}.
 *
 * @param scheme lower case ({@code bearer}, {@code basic})
 * @param params names lower case, values unquoted
 */
record Challenge(String scheme, Map<String, String> params) {
  /** Longer headers are not parsed past this: a challenge is a few hundred bytes. */
  private static final int MAX_LENGTH = 8192;

  Challenge {
    requireNonNull(scheme, "scheme");
    params = Map.copyOf(params);
  }

  @Nullable String param(String name) {
    return params.get(name);
  }

  /**
   * Parses every challenge of one or more header values. Never throws: what does not parse is
   * skipped, so a garbled header yields fewer challenges, maybe none.
   */
  static List<Challenge> parse(List<String> headerValues) {
    List<Challenge> out = new ArrayList<>();
    for (String v : headerValues) {
      new Parser(v.length() > MAX_LENGTH ? v.substring(0, MAX_LENGTH) : v).challenges(out);
    }
    return out;
  }

  /** The first challenge of the scheme, if any. */
  static @Nullable Challenge find(List<Challenge> challenges, String scheme) {
    for (Challenge c : challenges) {
      if (c.scheme.equals(scheme)) {
        return c;
      }
    }
    return null;
  }

  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s;
    }

    void challenges(List<Challenge> out) {
      while (true) {
        skip(" \t,");
        if (i >= s.length()) {
          return;
        }
        String scheme = token();
        if (scheme.isEmpty()) {
          i++; // not a token character: skip it
          continue;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params(params);
        out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params));
      }
    }

    /** auth-params, or a token68; stops before the next challenge's scheme. */
    private void params(Map<String, String> params) {
      skip(" \t");
      if (token68()) {
        return; // Basic's old form, credentials-like: no parameters
      }
      boolean first = true;
      while (true) {
        int start = i;
        skip(" \t");
        if (!first) {
          if (i >= s.length() || s.charAt(i) != ',') {
            i = start;
            return;
          }
          i++;
          skip(" \t,");
        }
        int nameStart = i;
        String name = token();
        skip(" \t");
        if (name.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
          i = first ? nameStart : start; // the next challenge's scheme, or garbage
          return;
        }
        i++; // '='
        skip(" \t");
        String value = i < s.length() && s.charAt(i) == '"' ? quoted() : token();
        params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        first = false;
      }
    }

    /**
     * Consumes a token68 ({@code dXNlcjpwYXNz==}) when one is followed by the end or a comma;
     * otherwise consumes nothing. A lone token (the next challenge's scheme) is not one.
     */
    private boolean token68() {
      int start = i;
      while (i < s.length() && (isToken68Char(s.charAt(i)))) {
        i++;
      }
      int letters = i;
      while (i < s.length() && s.charAt(i) == '=') {
        i++;
      }
      int end = i;
      if (end == letters) {
        i = start; // no padding: a bare token is taken for the next challenge's scheme
        return false;
      }
      skip(" \t");
      if (end > start && (i >= s.length() || s.charAt(i) == ',')) {
        return true;
      }
      i = start;
      return false;
    }

    private String token() {
      int start = i;
      while (i < s.length() && isTokenChar(s.charAt(i))) {
        i++;
      }
      return s.substring(start, i);
    }

    private String quoted() {
      StringBuilder b = new StringBuilder();
      i++; // opening quote
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\' && i < s.length()) {
          c = s.charAt(i++);
        }
        b.append(c);
      }
      return b.toString(); // unterminated: take what there is
    }

    private void skip(String chars) {
      while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    // RFC 9110 token68
    private static boolean isToken68Char(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~+/".indexOf(c) >= 0;
    }

    // RFC 9110 tchar
    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
  }
}

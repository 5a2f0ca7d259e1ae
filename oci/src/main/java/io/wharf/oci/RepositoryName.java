package io.wharf.oci;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;

/**
 * A repository name as the distribution spec gives it: one or more path components separated by
 * {@code /}, the whole at most 255 characters.
 *
 * <pre>
 * name      := component ('/' component)*
 * component := alnum+ (separator alnum+)*
 * alnum     := [a-z0-9]
 * separator := '.' | '_' | '__' | '-'+
 * </pre>
 *
 * <p>Validated by hand rather than with a regular expression: it is on every request's path, and
 * hostile input can never make it backtrack.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
  /** distribution's {@code NameTotalLengthMax}. */
  public static final int MAX_LENGTH = 255;

  public RepositoryName {
    requireNonNull(value, "value");
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * Parses untrusted text.
   *
   * @throws OciException {@link OciError#NAME_INVALID} naming what is wrong
   */
  public static RepositoryName parse(String text) {
    String problem = text == null ? "empty name" : problem(text);
    if (problem != null) {
      throw new OciException(OciError.NAME_INVALID, problem);
    }
    return new RepositoryName(text);
  }

  /** The path components, e.g. {@code [spectro-images, team, app]}. */
  public List<String> components() {
    return Arrays.asList(value.split("/", -1));
  }

  /** The first component: the project, as Harbor calls it. */
  public String project() {
    int slash = value.indexOf('/');
    return slash < 0 ? value : value.substring(0, slash);
  }

  /** This name under another first component: {@code prefix/value}. */
  public RepositoryName prefixedWith(String prefix) {
    return parse(prefix + "/" + value);
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(RepositoryName o) {
    return value.compareTo(o.value);
  }

  /** Whether one path component is valid on its own (project names are single components). */
  public static boolean isComponent(String text) {
    return text != null && !text.isEmpty() && componentProblem(text, 0, text.length()) == null;
  }

  private static String problem(String s) {
    if (s.isEmpty()) {
      return "empty name";
    }
    if (s.length() > MAX_LENGTH) {
      return "name longer than " + MAX_LENGTH + " characters";
    }
    int start = 0;
    while (true) {
      int slash = s.indexOf('/', start);
      int end = slash < 0 ? s.length() : slash;
      String p = componentProblem(s, start, end);
      if (p != null) {
        return p + " in name '" + s + "'";
      }
      if (slash < 0) {
        return null;
      }
      start = slash + 1;
    }
  }

  private static String componentProblem(String s, int start, int end) {
    if (start == end) {
      return "empty path component";
    }
    if (!isAlnum(s.charAt(start)) || !isAlnum(s.charAt(end - 1))) {
      return "path component must start and end with [a-z0-9]";
    }
    int i = start;
    while (i < end) {
      char c = s.charAt(i);
      if (isAlnum(c)) {
        i++;
        continue;
      }
      int runStart = i;
      while (i < end && !isAlnum(s.charAt(i))) {
        i++;
      }
      String sep = s.substring(runStart, i);
      if (!isSeparator(sep)) {
        return "invalid characters '" + sep + "'";
      }
    }
    return null;
  }

  private static boolean isSeparator(String sep) {
    if (sep.equals(".") || sep.equals("_") || sep.equals("__")) {
      return true;
    }
    for (int i = 0; i < sep.length(); i++) {
      if (sep.charAt(i) != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
}

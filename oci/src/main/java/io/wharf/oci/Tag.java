package io.wharf.oci;

import static java.util.Objects.requireNonNull;

/** A tag: {@code [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}}, as the distribution spec gives it. */
public record Tag(String value) implements Comparable<Tag> {
  public static final int MAX_LENGTH = 128;

  public Tag {
    requireNonNull(value, "value");
    if (!isTag(value)) {
      throw new IllegalArgumentException("invalid tag: " + value);
    }
  }

  /**
   * Parses untrusted text.
   *
   * @throws OciException {@link OciError#TAG_INVALID} when the text is not a tag
   */
  public static Tag parse(String text) {
    if (!isTag(text)) {
      String shown = text == null ? "null" : text.length() > 140 ? text.substring(0, 140) + "..." : text;
      throw new OciException(OciError.TAG_INVALID, "invalid tag: " + shown);
    }
    return new Tag(text);
  }

  /** Whether the text is a valid tag. */
  public static boolean isTag(String s) {
    if (s == null || s.isEmpty() || s.length() > MAX_LENGTH) {
      return false;
    }
    char first = s.charAt(0);
    if (!(isWord(first))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(isWord(c) || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isWord(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  @Override
  public String toString() {
    return value;
  }

  @Override
  public int compareTo(Tag o) {
    return value.compareTo(o.value);
  }
}

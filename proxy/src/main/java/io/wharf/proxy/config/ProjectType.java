package io.wharf.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What kind of project a {@code projects:} entry is, written in lower case in YAML. */
public enum ProjectType {
  /** Content pushed or imported into wharf itself, never fetched from an upstream. */
  LOCAL;

  /**
   * Parses the YAML spelling, {@code local}.
   *
   * @throws IllegalArgumentException naming the text and the accepted values
   */
  @JsonCreator
  public static ProjectType parse(String text) {
    for (ProjectType type : values()) {
      if (type.toString().equals(text)) {
        return type;
      }
    }
    String accepted =
        Arrays.stream(values()).map(ProjectType::toString).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "cannot parse '" + text + "' as a project type (one of: " + accepted + ")");
  }

  /** The YAML spelling. */
  @JsonValue
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package io.wharf.proxy.metrics;

import java.util.Locale;

/** What a cache hit or miss was for: the {@code kind} label. */
public enum ContentKind {
  MANIFEST,
  BLOB;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The label value ({@code manifest}). */
  public String label() {
    return label;
  }

  /** The constant of a label value. */
  public static ContentKind of(String label) {
    for (ContentKind v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown kind: " + label);
  }
}

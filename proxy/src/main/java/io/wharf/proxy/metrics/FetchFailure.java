package io.wharf.proxy.metrics;

import java.util.Locale;

/** Why a blob fetch ended without a commit: the {@code reason} label. */
public enum FetchFailure {
  /** The bytes hashed to another digest than the one asked for. */
  DIGEST_MISMATCH,
  /** The body ended before its announced length and could not be resumed. */
  TRUNCATED,
  /** The upstream refused, failed or could not be reached. */
  UPSTREAM_ERROR;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The label value ({@code digest_mismatch}). */
  public String label() {
    return label;
  }

  /** The constant of a label value. */
  public static FetchFailure of(String label) {
    for (FetchFailure v : values()) {
      if (v.label.equals(label)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown reason: " + label);
  }
}

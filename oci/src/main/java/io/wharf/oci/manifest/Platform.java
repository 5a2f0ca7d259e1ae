package io.wharf.oci.manifest;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The platform an index entry is built for, e.g. {@code linux/arm64/v8}. */
public record Platform(String os, String architecture, @Nullable String variant) {
  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}

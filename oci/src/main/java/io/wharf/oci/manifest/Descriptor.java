package io.wharf.oci.manifest;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A content descriptor: what a manifest says about one blob or child manifest it references. */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    @Nullable String artifactType,
    @Nullable Platform platform,
    Map<String, String> annotations) {
  public Descriptor {
    requireNonNull(mediaType, "mediaType");
    requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
    annotations = Map.copyOf(annotations);
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, Map.of());
  }
}

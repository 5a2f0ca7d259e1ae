package io.wharf.oci.manifest;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A parsed image manifest or index: its own digest and media type, and everything it references.
 * For an image, {@code config} and {@code layers}; for an index, {@code manifests}; either may
 * have a {@code subject} (the manifest it refers to, for the referrers API).
 */
public record Manifest(
    Digest digest,
    String mediaType,
    long size,
    @Nullable Descriptor config,
    List<Descriptor> layers,
    List<Descriptor> manifests,
    @Nullable Descriptor subject,
    @Nullable String artifactType,
    Map<String, String> annotations) {
  public Manifest {
    requireNonNull(digest, "digest");
    requireNonNull(mediaType, "mediaType");
    layers = List.copyOf(layers);
    manifests = List.copyOf(manifests);
    annotations = Map.copyOf(annotations);
  }

  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /** The blobs this manifest references directly: its config and layers (never child manifests). */
  public List<Descriptor> blobs() {
    List<Descriptor> out = new ArrayList<>(layers.size() + 1);
    if (config != null) {
      out.add(config);
    }
    out.addAll(layers);
    return out;
  }

  /**
   * The artifact type the referrers API reports: {@code artifactType} when set, else an image
   * manifest's config media type (spec: "If the artifactType is empty or missing in the image
   * manifest, the value of artifactType MUST be set to the config descriptor mediaType value. If the
   * artifactType is empty or missing in an index, the artifactType MUST be omitted").
   */
  public @Nullable String effectiveArtifactType() {
    if (artifactType != null && !artifactType.isEmpty()) {
      return artifactType;
    }
    return config != null && !isIndex() ? config.mediaType() : null;
  }

  /** This manifest as a descriptor, for listing it in an index (the referrers response). */
  public Descriptor toDescriptor() {
    return new Descriptor(mediaType, digest, size, effectiveArtifactType(), null, annotations);
  }
}

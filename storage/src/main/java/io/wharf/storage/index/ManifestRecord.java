package io.wharf.storage.index;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A manifest linked into a repository: its media type, size, and the digests it references (blobs
 * and child manifests), for validation, GC and eviction.
 */
public record ManifestRecord(
    String mediaType, long size, List<String> references, @Nullable String subject, @Nullable String artifactType, long createdAt) {
  public ManifestRecord {
    references = List.copyOf(references);
  }
}

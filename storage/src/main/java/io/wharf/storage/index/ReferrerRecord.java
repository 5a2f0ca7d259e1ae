package io.wharf.storage.index;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A manifest that names a subject: what the referrers API lists for it. */
public record ReferrerRecord(String mediaType, long size, @Nullable String artifactType, Map<String, String> annotations) {
  public ReferrerRecord {
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }
}

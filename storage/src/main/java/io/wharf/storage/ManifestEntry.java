package io.wharf.storage;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.storage.index.ManifestRecord;

/** A manifest of a repository: its digest, what the index knows of it, and its exact bytes. */
public record ManifestEntry(Digest digest, ManifestRecord record, byte[] body) {
  public ManifestEntry {
    requireNonNull(digest, "digest");
    requireNonNull(record, "record");
    requireNonNull(body, "body");
  }
}

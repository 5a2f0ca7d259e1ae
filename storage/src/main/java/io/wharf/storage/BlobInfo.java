package io.wharf.storage;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import java.nio.file.Path;

/** A committed blob: its digest, size, and the file holding exactly its bytes. */
public record BlobInfo(Digest digest, long size, Path path) {
  public BlobInfo {
    requireNonNull(digest, "digest");
    requireNonNull(path, "path");
  }
}

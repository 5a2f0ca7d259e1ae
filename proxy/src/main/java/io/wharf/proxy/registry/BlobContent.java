package io.wharf.proxy.registry;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import java.nio.file.Path;

/** A committed blob ready to be served: its digest, size and the file that holds exactly its bytes. */
public record BlobContent(Digest digest, long size, Path path) {
  public BlobContent {
    requireNonNull(digest, "digest");
    requireNonNull(path, "path");
    if (size < 0) {
      throw new IllegalArgumentException("size < 0");
    }
  }
}

package io.wharf.proxy.registry;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A blob ready to be served: its digest, size and the file that holds its bytes; either committed
 * ({@code growing} null: the file holds exactly the blob) or still being fetched from upstream
 * ({@code growing} set: follow the file as it grows; {@code size} is -1 until the upstream said it).
 */
public record BlobContent(Digest digest, long size, Path path, @Nullable GrowingBlob growing) {
  public BlobContent {
    requireNonNull(digest, "digest");
    requireNonNull(path, "path");
    if (size < 0 && growing == null) {
      throw new IllegalArgumentException("size < 0");
    }
  }

  /** A committed blob. */
  public BlobContent(Digest digest, long size, Path path) {
    this(digest, size, path, null);
  }

  /** A blob being fetched, served by following its temp file. */
  public static BlobContent growing(Digest digest, GrowingBlob blob) {
    return new BlobContent(digest, -1, blob.file(), blob);
  }

  public boolean isGrowing() {
    return growing != null;
  }
}

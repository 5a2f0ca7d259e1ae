package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import java.util.List;
import java.util.Objects;

/**
 * One exported image.
 *
 * @param reference the full reference the bundle names it by ({@code docker.io/library/nginx:1.27})
 * @param digest its manifest or index digest, unchanged
 * @param missingPlatforms platforms of an index that storage does not hold (never pulled through the
 *     cache), which the bundle therefore lacks, e.g. {@code linux/s390x}
 */
public record ExportedImage(String reference, Digest digest, List<String> missingPlatforms) {
  public ExportedImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(digest, "digest");
    missingPlatforms = List.copyOf(missingPlatforms);
  }
}

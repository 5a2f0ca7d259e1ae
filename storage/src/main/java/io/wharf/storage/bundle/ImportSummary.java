package io.wharf.storage.bundle;

import java.time.Duration;
import java.util.List;

/**
 * What an import did.
 *
 * @param images every image stored, one per reference (a docker save image with two RepoTags is two)
 * @param blobsNew distinct blobs of the bundle that were committed by this import
 * @param blobsExisting distinct blobs of the bundle that storage already held (skipped, not copied)
 * @param bytes the size of the blobs committed by this import
 * @param took wall time, reading included
 */
public record ImportSummary(List<ImportedImage> images, int blobsNew, int blobsExisting, long bytes, Duration took) {
  public ImportSummary {
    images = List.copyOf(images);
  }
}

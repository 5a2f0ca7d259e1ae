package io.wharf.storage.bundle;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param output the bundle file
 * @param images the exported images, in the order given
 * @param blobs distinct blobs written (manifests, configs and layers)
 * @param bytes the size of those blobs, before compression
 * @param took wall time
 */
public record ExportSummary(Path output, List<ExportedImage> images, int blobs, long bytes, Duration took) {
  public ExportSummary {
    images = List.copyOf(images);
  }
}

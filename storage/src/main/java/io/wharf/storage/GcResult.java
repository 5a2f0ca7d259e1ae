package io.wharf.storage;

import io.wharf.oci.Digest;
import java.util.List;

/**
 * What a GC run removed (or, in a dry run, would remove).
 *
 * @param removed the blobs, in digest order
 * @param bytes their total size
 */
public record GcResult(List<Digest> removed, long bytes, boolean dryRun) {
  public GcResult {
    removed = List.copyOf(removed);
  }
}

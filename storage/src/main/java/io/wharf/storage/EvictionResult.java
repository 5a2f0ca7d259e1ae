package io.wharf.storage;

import java.util.List;

/**
 * What an eviction pass did.
 *
 * @param evicted the images evicted, least recently used first (as they were before the pass)
 * @param bytesFreed bytes of the blobs deleted
 * @param usedBefore usage when the pass began
 * @param usedAfter usage when it ended (commits that landed meanwhile included)
 */
public record EvictionResult(List<ImageSummary> evicted, long bytesFreed, long usedBefore, long usedAfter) {
  public EvictionResult {
    evicted = List.copyOf(evicted);
  }
}

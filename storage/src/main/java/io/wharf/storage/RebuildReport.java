package io.wharf.storage;

import java.time.Duration;
import java.util.List;

/**
 * What an index rebuild found in the files and wrote: how many blobs, repositories, manifests,
 * tags, layer links, referrers and pins the index now holds from them.
 *
 * @param changed index entries added, replaced or removed to get there (all of them into an empty index)
 * @param skipped links and files left out, one line each (a link to a blob that is not stored, say)
 */
public record RebuildReport(
    int blobs, int repositories, int manifests, int tags, int layers, int referrers, int pins, int changed,
    List<String> skipped, Duration took) {
  public RebuildReport {
    skipped = List.copyOf(skipped);
  }

  /** One line for the log and the CLI. */
  public String summary() {
    return blobs + " blobs, " + repositories + " repositories, " + manifests + " manifests, " + tags + " tags, " + pins
        + " pins (" + changed + " index entries written, " + skipped.size() + " links or files skipped) in "
        + took.toMillis() + " ms";
  }
}

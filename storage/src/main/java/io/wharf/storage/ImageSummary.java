package io.wharf.storage;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import java.util.List;

/**
 * An image of a repository: a root manifest (one no other manifest of the repository references),
 * as {@code wharf ls} shows it.
 *
 * @param tags the repository's tags that point at the root now, in lexical order
 * @param size bytes on disk of its closure: every distinct manifest and blob it reaches that is
 *     stored (a layer not fetched yet counts nothing), each once
 * @param lastPull the latest pull of any manifest of its closure (epoch millis), 0 when never pulled
 * @param pulls the most pulls of any one manifest of its closure: a pull of a multi-platform image
 *     fetches the index and then a platform manifest, and counts once
 * @param pinned a pin of the repository names a manifest of its closure, by digest or through a tag
 *     that points into it now
 */
public record ImageSummary(
    RepositoryName repo, Digest digest, List<String> tags, String mediaType, long size, long lastPull, long pulls, boolean pinned) {
  public ImageSummary {
    requireNonNull(repo, "repo");
    requireNonNull(digest, "digest");
    tags = List.copyOf(tags);
    requireNonNull(mediaType, "mediaType");
  }
}

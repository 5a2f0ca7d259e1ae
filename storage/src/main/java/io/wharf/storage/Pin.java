package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;

/**
 * A pinned image: a repository and the reference (tag or digest) an operator, an import or a push
 * pinned, with the manifest digest it named at that moment.
 *
 * @param source what pinned it: {@code import}, {@code push} or {@code cli}
 */
public record Pin(RepositoryName repo, ManifestReference reference, Digest digest, long pinnedAt, String source) {}

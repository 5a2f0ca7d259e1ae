package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import java.util.Optional;

/**
 * Blobs as a repository sees them ({@code /v2/<name>/blobs/<digest>}).
 *
 * <p>Implementations are thread-safe.
 */
public interface BlobService {
  /**
   * The blob linked into this repository.
   *
   * @throws io.wharf.oci.OciException BLOB_UNKNOWN when the repository has no such blob
   */
  BlobContent require(RepositoryName repo, Digest digest);

  /**
   * Removes the blob from this repository (its link; the bytes stay while other repositories use them).
   *
   * @throws io.wharf.oci.OciException BLOB_UNKNOWN, or DENIED outside a local project
   */
  void delete(RepositoryName repo, Digest digest);

  /**
   * Cross-repository mount: links a blob {@code from} has into {@code repo}.
   *
   * @return the mounted blob, or empty when {@code from} does not have it (the client then uploads)
   * @throws io.wharf.oci.OciException DENIED outside a local project
   */
  Optional<BlobContent> mount(RepositoryName repo, RepositoryName from, Digest digest);
}

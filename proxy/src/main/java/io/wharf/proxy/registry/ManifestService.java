package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import org.jspecify.annotations.Nullable;

/**
 * Manifests by tag or digest ({@code /v2/<name>/manifests/<reference>}).
 *
 * <p>Implementations are thread-safe.
 */
public interface ManifestService {
  /**
   * @throws io.wharf.oci.OciException MANIFEST_UNKNOWN (NAME_UNKNOWN when the repository does not exist)
   */
  StoredManifest get(RepositoryName repo, ManifestReference reference);

  /**
   * Validates and stores a pushed manifest, tagging it when the reference is a tag.
   *
   * @param contentType the request's Content-Type, or null
   * @return the manifest's digest and, when it has one, its subject (for the {@code OCI-Subject} header)
   * @throws io.wharf.oci.OciException MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN, DIGEST_INVALID (a
   *     digest reference that does not match the body), DENIED outside a local project
   */
  PutResult put(RepositoryName repo, ManifestReference reference, byte[] body, @Nullable String contentType);

  /**
   * Deletes a manifest by digest (and every tag pointing at it), or just a tag.
   *
   * @throws io.wharf.oci.OciException MANIFEST_UNKNOWN, DENIED outside a local project
   */
  void delete(RepositoryName repo, ManifestReference reference);

  /** What a manifest push produced. */
  record PutResult(Digest digest, @Nullable Digest subject) {}
}

package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;

/**
 * Blob upload sessions ({@code /v2/<name>/blobs/uploads/}): monolithic and chunked.
 *
 * <p>Implementations are thread-safe across sessions; one session is written by one request at a
 * time (a second concurrent writer gets BLOB_UPLOAD_INVALID).
 */
public interface UploadService {
  /**
   * Opens a new session.
   *
   * @throws io.wharf.oci.OciException DENIED outside a local project
   */
  UploadState start(RepositoryName repo);

  /**
   * @throws io.wharf.oci.OciException BLOB_UPLOAD_UNKNOWN for an unknown or finished session
   */
  UploadState status(RepositoryName repo, String id);

  /**
   * Opens the session for one request's bytes.
   *
   * @param expectedStart where the client says its bytes start (Content-Range), or -1 if it did not say
   * @throws io.wharf.oci.OciException BLOB_UPLOAD_UNKNOWN; RANGE_INVALID (416) when
   *     {@code expectedStart} is not the session's current size
   */
  UploadSink open(RepositoryName repo, String id, long expectedStart);

  /**
   * Verifies the session's bytes against {@code digest} and commits them as a blob of {@code repo}.
   * On a mismatch the session is discarded and nothing is committed.
   *
   * @throws io.wharf.oci.OciException BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID
   */
  BlobContent complete(RepositoryName repo, String id, Digest digest);

  /**
   * Discards the session and its bytes.
   *
   * @throws io.wharf.oci.OciException BLOB_UPLOAD_UNKNOWN
   */
  void cancel(RepositoryName repo, String id);
}

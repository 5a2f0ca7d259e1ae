package io.wharf.oci;

/**
 * Every error code of the OCI distribution spec, plus the ones CNCF distribution adds, each with the
 * HTTP status a client receives and the spec's message.
 *
 * <p>Statuses follow distribution's {@code errcode/register.go} and {@code api/v2/errors.go} where the
 * spec is silent, so clients that learned registry:2 see what they expect.
 */
public enum OciError {
  BLOB_UNKNOWN(404, "blob unknown to registry"),
  BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
  BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
  DIGEST_INVALID(400, "provided digest did not match uploaded content"),
  MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
  MANIFEST_INVALID(400, "manifest invalid"),
  MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
  NAME_INVALID(400, "invalid repository name"),
  NAME_UNKNOWN(404, "repository name not known to registry"),
  SIZE_INVALID(400, "provided length did not match content length"),
  UNAUTHORIZED(401, "authentication required"),
  DENIED(403, "requested access to the resource is denied"),
  UNSUPPORTED(405, "the operation is unsupported"),
  TOOMANYREQUESTS(429, "too many requests"),
  // distribution's additions
  TAG_INVALID(400, "manifest tag did not match URI"),
  RANGE_INVALID(416, "invalid content range"),
  PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
  UNKNOWN(500, "unknown error"),
  UNAVAILABLE(503, "service unavailable");

  private final int status;
  private final String message;

  OciError(int status, String message) {
    this.status = status;
    this.message = message;
  }

  /** The code as it appears in the JSON body, e.g. {@code BLOB_UNKNOWN}. */
  public String code() {
    return name();
  }

  /** The HTTP status a client receives for this error. */
  public int status() {
    return status;
  }

  /** The spec's human-readable message for this code. */
  public String message() {
    return message;
  }
}

package io.wharf.oci;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * The one exception type of wharf: an {@link OciError}, a message for the client and an optional
 * detail, rendered as the spec's {@code {"errors":[...]}} body by a single responder.
 */
public final class OciException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final OciError error;
  private final int status;
  private final @Nullable String detail;

  public OciException(OciError error, String message) {
    this(error, error.status(), message, null, null);
  }

  public OciException(OciError error, String message, @Nullable String detail) {
    this(error, error.status(), message, detail, null);
  }

  public OciException(OciError error, String message, Throwable cause) {
    this(error, error.status(), message, null, cause);
  }

  private OciException(
      OciError error, int status, String message, @Nullable String detail, @Nullable Throwable cause) {
    super(requireNonNull(message, "message"), cause, false, cause != null);
    this.error = requireNonNull(error, "error");
    this.status = status;
    this.detail = detail;
  }

  /**
   * The same code answered with another status, where the spec asks for one its table does not
   * give the code (an oversized manifest is {@code MANIFEST_INVALID} with 413).
   */
  public static OciException withStatus(OciError error, int status, String message) {
    return new OciException(error, status, message, null, null);
  }

  public OciError error() {
    return error;
  }

  /** The HTTP status to answer with: the error's own unless overridden. */
  public int status() {
    return status;
  }

  public @Nullable String detail() {
    return detail;
  }
}

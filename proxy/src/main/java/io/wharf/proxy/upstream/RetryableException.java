package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * An attempt's failure that another attempt might not have: what the caller gets once retries are
 * spent, and how long the upstream asked to wait ({@code Retry-After}), if it did.
 */
final class RetryableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final OciException failure;
  private final @Nullable Duration retryAfter;

  RetryableException(OciException failure, @Nullable Duration retryAfter) {
    super(failure.getMessage(), null, false, false);
    this.failure = requireNonNull(failure, "failure");
    this.retryAfter = retryAfter;
  }

  OciException failure() {
    return failure;
  }

  @Nullable Duration retryAfter() {
    return retryAfter;
  }
}

package io.wharf.storage.layout;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns an I/O failure into what a client should see: a full disk or quota is the operator's
 * condition, answered 503 UNAVAILABLE (the commit protocol guarantees nothing partial was kept);
 * anything else stays an I/O error, a 500 logged with its stack.
 */
public final class StorageFailure {
  private StorageFailure() {}

  public static RuntimeException of(String what, IOException e) {
    String message = String.valueOf(e.getMessage());
    // the JDK reports ENOSPC and EDQUOT only through strerror text
    if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
      return new OciException(OciError.UNAVAILABLE, "storage is full: " + what, e);
    }
    return new UncheckedIOException(what, e);
  }
}

package io.wharf.storage.index;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * RocksDB found the index's files damaged when opening it (a torn MANIFEST, a bad CURRENT, a
 * corrupt table). The index is a cache of the files, so storage moves it aside and rebuilds it.
 * Distinct from a lock held by another process, which is never corruption.
 */
public final class IndexCorruptException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;

  IndexCorruptException(String message, IOException cause) {
    super(message, cause);
  }
}

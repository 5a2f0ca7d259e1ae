package io.wharf.storage.bundle;

import java.io.Closeable;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The files of a bundle, read once, in order: a tar sequentially, a folder in an order that puts
 * the small JSON files first. Unread bytes of an entry are skipped when the next one is asked for.
 */
interface BundleEntries extends Closeable {
  /** The next file, or null at the end. */
  @Nullable BundleEntry next() throws IOException;

  /** What the bundle is, for the operator: "zstd-compressed tar", "OCI layout folder". */
  String description();
}

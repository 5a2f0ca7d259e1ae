package io.wharf.storage.bundle;

import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * One file of a bundle, as a tar or a folder holds it.
 *
 * @param path its path inside the bundle, normalised ({@code ./blobs/x} is {@code blobs/x})
 * @param size its size in bytes (0 for a link)
 * @param linkTarget for a symbolic or hard link, the bundle path it points at (resolved against
 *     the link's folder for a symbolic link); null for a regular file
 * @param body its bytes, valid until the next entry is asked for; closing it is not needed
 */
record BundleEntry(String path, long size, @Nullable String linkTarget, InputStream body) {
  boolean isLink() {
    return linkTarget != null;
  }
}

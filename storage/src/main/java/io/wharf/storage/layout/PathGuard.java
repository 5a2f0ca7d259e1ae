package io.wharf.storage.layout;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.nio.file.Path;

/**
 * Keeps every resolved path under one root. Names and digests are validated long before they get
 * here; this is the last line, so that a bug upstream can never become a path traversal.
 */
public final class PathGuard {
  private final Path root;

  public PathGuard(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * @return the normalised path
   * @throws OciException NAME_INVALID when the path leaves the root
   */
  public Path check(Path path) {
    Path normalized = path.toAbsolutePath().normalize();
    if (!normalized.startsWith(root) || !normalized.equals(path.toAbsolutePath())) {
      throw new OciException(OciError.NAME_INVALID, "path escapes the data root");
    }
    return normalized;
  }

  /** Accepts a single file-name component made of [A-Za-z0-9_-] only (upload ids). */
  public static String requireSafeComponent(String component) {
    if (component.isEmpty() || component.length() > 128) {
      throw new OciException(OciError.BLOB_UPLOAD_UNKNOWN, "invalid upload id");
    }
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        throw new OciException(OciError.BLOB_UPLOAD_UNKNOWN, "invalid upload id");
      }
    }
    return component;
  }
}

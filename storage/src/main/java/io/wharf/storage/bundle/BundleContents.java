package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import io.wharf.oci.OciException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one read of a bundle found: its small JSON files, the blob each file path became, and its
 * links (docker 25+ writes {@code <id>/layer.tar} as a link to {@code blobs/sha256/<hex>}).
 */
final class BundleContents {
  private static final int MAX_LINK_HOPS = 16;

  byte @Nullable [] ociLayout;
  byte @Nullable [] indexJson;
  byte @Nullable [] dockerManifest;
  /** bundle path of a file taken as a blob -> its digest. */
  final Map<String, Digest> files = new HashMap<>();
  /** bundle path of a link -> the bundle path it points at. */
  final Map<String, String> links = new HashMap<>();

  /** The blob a bundle path names, through links; null when the bundle held no such file. */
  @Nullable Digest digestOf(String path) {
    String p = BundlePaths.normalize(path);
    for (int hops = 0; p != null && hops < MAX_LINK_HOPS; hops++) {
      Digest d = files.get(p);
      if (d != null) {
        return d;
      }
      p = links.get(p);
    }
    return null;
  }

  /** The digest a {@code blobs/<alg>/<hex>} path names, or null when the path is not one. */
  static @Nullable Digest blobDigest(String path) {
    String[] parts = path.split("/");
    if (parts.length != 3 || !parts[0].equals("blobs")) {
      return null;
    }
    try {
      return Digest.parse(parts[1] + ":" + parts[2]);
    } catch (OciException e) {
      return null;
    }
  }
}

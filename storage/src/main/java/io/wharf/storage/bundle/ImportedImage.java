package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import java.util.Objects;

/**
 * One imported image.
 *
 * @param reference the full reference it is stored and pinned under, e.g. {@code docker.io/library/nginx:1.27}
 * @param digest its manifest (or index) digest in wharf
 * @param digestChanged true when wharf wrote the manifest itself (a classic docker save archive has
 *     none), so the digest is new and differs from the one the image had in its registry
 */
public record ImportedImage(String reference, Digest digest, boolean digestChanged) {
  public ImportedImage {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(digest, "digest");
  }
}

package io.wharf.proxy.registry;

import static java.util.Objects.requireNonNull;

/** The services behind the distribution API, as the routes receive them. */
public record Registry(
    BlobService blobs, UploadService uploads, ManifestService manifests, ListingService listings) {
  public Registry {
    requireNonNull(blobs, "blobs");
    requireNonNull(uploads, "uploads");
    requireNonNull(manifests, "manifests");
    requireNonNull(listings, "listings");
  }
}

package io.wharf.bench.seed;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One image that seed pushed.
 *
 * @param name the repository ({@code bench/app})
 * @param tag its tag
 * @param role {@link #ROLE_BLOB} (one layer, a warm-blob subject) or {@link #ROLE_APP} (an index
 *     of platform images, the manifest and image-pull subject)
 * @param mediaType the media type of what the tag points to
 * @param digest the digest of what the tag points to
 * @param size its length in bytes
 * @param manifests the platform manifests; for a single-platform image the one entry is the tagged
 *     manifest itself
 */
public record SeedImage(String name, String tag, String role, String mediaType, String digest, long size,
    List<SeedManifest> manifests) {

  public static final String ROLE_BLOB = "blob";
  public static final String ROLE_APP = "app";

  public SeedImage {
    manifests = List.copyOf(manifests);
  }

  /** True if the tag points to an index of platform manifests. */
  @JsonIgnore
  public boolean isIndex() {
    return manifests.size() != 1 || !manifests.get(0).digest().equals(digest);
  }

  /** The manifest of {@code platform} ({@code linux/amd64}), or the first one. */
  public SeedManifest platform(String platform) {
    return manifests.stream().filter(m -> m.platform().equals(platform)).findFirst()
        .orElse(manifests.get(0));
  }

  /** Every distinct blob of every platform. */
  public List<SeedBlob> blobs() {
    var byDigest = new LinkedHashMap<String, SeedBlob>();
    for (SeedManifest m : manifests) {
      for (SeedBlob b : m.blobs()) {
        byDigest.putIfAbsent(b.digest(), b);
      }
    }
    return new ArrayList<>(byDigest.values());
  }
}

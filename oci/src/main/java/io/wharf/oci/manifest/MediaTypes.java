package io.wharf.oci.manifest;

import java.util.List;
import java.util.Set;

/** The manifest media types wharf serves, and the schema1 ones it refuses by name. */
public final class MediaTypes {
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

  /** Docker's schema1, deprecated since 2015 and removed from Docker Hub; refused with a clear error. */
  public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
  public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

  /** Every manifest media type wharf stores, images first, then indexes. */
  public static final List<String> MANIFESTS = List.of(OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST);

  private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
  private static final Set<String> SCHEMA1 = Set.of(DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED);

  private MediaTypes() {}

  /** Whether the type is one of the four manifest types wharf stores. */
  public static boolean isManifest(String mediaType) {
    return MANIFESTS.contains(mediaType);
  }

  /** Whether the type is an index (OCI index or Docker manifest list). */
  public static boolean isIndex(String mediaType) {
    return INDEXES.contains(mediaType);
  }

  public static boolean isSchema1(String mediaType) {
    return SCHEMA1.contains(mediaType);
  }

  /** The bare media type of a Content-Type value: parameters and case removed. */
  public static String bare(String contentType) {
    int semi = contentType.indexOf(';');
    String t = semi < 0 ? contentType : contentType.substring(0, semi);
    return t.trim().toLowerCase(java.util.Locale.ROOT);
  }
}

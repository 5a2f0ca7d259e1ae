package io.wharf.bench.registry;

/** Request targets of the OCI distribution API, the same on every target (nginx anchors map them to files). */
public final class OciPaths {

  /** What containerd sends to resolve a tag: every manifest and index type it can read. */
  public static final String ACCEPT_ANY_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, "
      + "application/vnd.oci.image.index.v1+json, */*";

  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

  private OciPaths() {}

  public static String blob(String repository, String digest) {
    return "/v2/" + repository + "/blobs/" + digest;
  }

  public static String manifest(String repository, String reference) {
    return "/v2/" + repository + "/manifests/" + reference;
  }

  public static String uploads(String repository) {
    return "/v2/" + repository + "/blobs/uploads/";
  }

  /** The Accept header containerd sends when it fetches a manifest of {@code mediaType} by digest. */
  public static String acceptOnly(String mediaType) {
    return mediaType + ", */*";
  }
}

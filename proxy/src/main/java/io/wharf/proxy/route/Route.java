package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one request asks for, as {@link Router} read it from the method and URI: the resource kind
 * and its validated parts. The name is the repository name exactly as the client wrote it (after
 * percent-decoding), and the query is kept whole, so that resolving a name to an upstream (DESIGN.md
 * "Which upstream a request means": {@code ?ns=}, a project or host prefix) can be added on top
 * without parsing the URI again.
 *
 * @param kind the resource
 * @param method the request method, already checked to be one the resource answers
 * @param path the decoded path, without the query ({@code /v2/spectro-images/app/tags/list})
 * @param name the repository, for every kind but BASE, CATALOG and NOT_FOUND
 * @param reference the tag or digest of a MANIFEST
 * @param digest the digest of a BLOB or REFERRERS
 * @param uploadId the session of an UPLOAD
 * @param query the decoded query parameters, each with its values in order
 */
public record Route(
    Kind kind,
    HttpMethod method,
    String path,
    @Nullable RepositoryName name,
    @Nullable ManifestReference reference,
    @Nullable Digest digest,
    @Nullable String uploadId,
    Map<String, List<String>> query) {

  /** The resources of the distribution API. */
  public enum Kind {
    /** {@code /v2/} */
    BASE,
    /** {@code /v2/<name>/manifests/<reference>} */
    MANIFEST,
    /** {@code /v2/<name>/blobs/<digest>} */
    BLOB,
    /** {@code /v2/<name>/blobs/uploads/} */
    UPLOAD_START,
    /** {@code /v2/<name>/blobs/uploads/<id>} */
    UPLOAD,
    /** {@code /v2/<name>/tags/list} */
    TAGS,
    /** {@code /v2/_catalog} */
    CATALOG,
    /** {@code /v2/<name>/referrers/<digest>} */
    REFERRERS,
    /** Anything else. */
    NOT_FOUND
  }

  public Route {
    requireNonNull(kind, "kind");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    query = Map.copyOf(query);
  }

  /** The first value of a query parameter, or null when absent. */
  public @Nullable String param(String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The repository; only kinds that have one call this. */
  public RepositoryName requireName() {
    if (name == null) {
      throw new IllegalStateException(kind + " has no name");
    }
    return name;
  }

  public ManifestReference requireReference() {
    if (reference == null) {
      throw new IllegalStateException(kind + " has no reference");
    }
    return reference;
  }

  public Digest requireDigest() {
    if (digest == null) {
      throw new IllegalStateException(kind + " has no digest");
    }
    return digest;
  }

  public String requireUploadId() {
    if (uploadId == null) {
      throw new IllegalStateException(kind + " has no upload id");
    }
    return uploadId;
  }

  /** The 404 of a path that is no resource of the API. */
  static OciException notFound(String path) {
    return new OciException(OciError.NAME_UNKNOWN, "no such resource: " + shorten(path));
  }

  static String shorten(String s) {
    String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
    StringBuilder b = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}

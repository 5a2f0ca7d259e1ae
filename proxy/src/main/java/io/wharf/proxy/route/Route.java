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
 * and its validated parts. {@link Router} gives the repository name exactly as the client wrote it
 * (after percent-decoding) and keeps the query whole; {@link Routes} then resolves it once to the
 * name it is stored under (DESIGN.md "Which upstream a request means": {@code ?ns=}, a project or
 * host prefix; {@link io.wharf.proxy.upstream.UpstreamResolver}) with {@link #withName}, so the
 * route classes only ever see the canonical name, and {@link #sentName} keeps the one sent.
 *
 * @param kind the resource
 * @param method the request method, already checked to be one the resource answers
 * @param path the decoded path, without the query ({@code /v2/spectro-images/app/tags/list})
 * @param name the repository, for every kind but BASE, CATALOG, NOT_FOUND and the operational ones
 * @param reference the tag or digest of a MANIFEST
 * @param digest the digest of a BLOB or REFERRERS
 * @param uploadId the session of an UPLOAD
 * @param query the decoded query parameters, each with its values in order
 * @param sentName the repository as the client wrote it, for the URLs answered to it (a {@code
 *     Location}); equal to {@code name} until the name is resolved, and null exactly when {@code
 *     name} is (passing null with a name sets it to the name)
 */
public record Route(
    Kind kind,
    HttpMethod method,
    String path,
    @Nullable RepositoryName name,
    @Nullable ManifestReference reference,
    @Nullable Digest digest,
    @Nullable String uploadId,
    Map<String, List<String>> query,
    @Nullable RepositoryName sentName) {

  /** The resources of the distribution API, and wharf's operational endpoints. */
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
    /** {@code /metrics}, outside the API */
    METRICS,
    /** {@code /healthz}, outside the API */
    HEALTH,
    /** {@code /readyz}, outside the API */
    READY,
    /** {@code /service/token}: Docker token auth's token endpoint, outside the API */
    TOKEN,
    /** {@code /api/wharf/v1/...}: the admin API, answered by an {@link AdminEndpoint} */
    ADMIN,
    /** Anything else. */
    NOT_FOUND
  }

  public Route {
    requireNonNull(kind, "kind");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    query = Map.copyOf(query);
    if (name == null) {
      sentName = null;
    } else if (sentName == null) {
      sentName = name;
    }
  }

  /** A route as {@link Router} reads it, before its name is resolved: sent and stored alike. */
  public Route(
      Kind kind,
      HttpMethod method,
      String path,
      @Nullable RepositoryName name,
      @Nullable ManifestReference reference,
      @Nullable Digest digest,
      @Nullable String uploadId,
      Map<String, List<String>> query) {
    this(kind, method, path, name, reference, digest, uploadId, query, name);
  }

  /**
   * This route naming {@code canonical}, the repository as stored, instead; {@link #sentName()} and
   * {@link #path()} stay as the client sent them.
   */
  public Route withName(RepositoryName canonical) {
    requireNonNull(canonical, "canonical");
    if (name == null) {
      throw new IllegalStateException(kind + " has no name");
    }
    return new Route(kind, method, path, canonical, reference, digest, uploadId, query, sentName);
  }

  /** The repository as the client wrote it; only kinds that have one call this. */
  public RepositoryName requireSentName() {
    if (sentName == null) {
      throw new IllegalStateException(kind + " has no name");
    }
    return sentName;
  }

  /** The first value of a query parameter, or null when absent. */
  public @Nullable String param(String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The repository as stored (canonical once resolved); only kinds that have one call this. */
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

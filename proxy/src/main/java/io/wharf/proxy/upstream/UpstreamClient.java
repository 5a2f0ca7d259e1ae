package io.wharf.proxy.upstream;

import io.wharf.oci.Digest;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP client of one upstream registry: the only class that knows how to reach it. Every call
 * names the repository as the upstream knows it ({@code library/nginx}, never the canonical
 * {@code docker.io/library/nginx}).
 *
 * <p>Failures complete the future exceptionally with an {@link io.wharf.oci.OciException} whose
 * code keeps the upstream's meaning: MANIFEST_UNKNOWN / BLOB_UNKNOWN / NAME_UNKNOWN for 404,
 * UNAUTHORIZED / DENIED for 401 / 403 after the token flow, TOOMANYREQUESTS for 429 once retries
 * are spent, and UNAVAILABLE for connect failures, timeouts, resets and 5xx; the detail names the
 * cause. Manifest requests always send the full Accept set (OCI index, Docker list, OCI manifest,
 * Docker v2). Idempotent requests are retried with backoff (Retry-After honoured) before failing.
 *
 * <p>Thread-safe; connections are pooled and kept alive.
 */
public interface UpstreamClient extends AutoCloseable {
  /** HEAD of a manifest by tag or digest: what it is now, without its body. */
  CompletableFuture<ManifestHead> headManifest(String repository, String reference);

  /** GET of a manifest by tag or digest: the exact bytes and their media type. */
  CompletableFuture<FetchedManifest> getManifest(String repository, String reference);

  /**
   * GET of a blob from {@code offset} (a Range request when offset &gt; 0), streamed to {@code sink}
   * with backpressure: the next chunk is read only once the previous one's write completed. Follows
   * redirects (to a CDN host without the Authorization header).
   *
   * @return completes when the body ended; exceptionally on any failure, including a body shorter
   *     than announced (UNAVAILABLE, detail "truncated") or a reset mid-body
   */
  CompletableFuture<Void> getBlob(String repository, Digest digest, long offset, BlobSink sink);

  /** Closes pooled connections. */
  @Override
  void close();
}

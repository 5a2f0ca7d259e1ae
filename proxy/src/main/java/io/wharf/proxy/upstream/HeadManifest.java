package io.wharf.proxy.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.wharf.oci.Digest;
import io.wharf.oci.manifest.MediaTypes;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A manifest HEAD's 2xx answer: {@code Docker-Content-Digest} (null when absent or invalid),
 * the bare media type, and the Content-Length.
 */
final class HeadManifest {
  private static final Logger log = LoggerFactory.getLogger(HeadManifest.class);

  static final String DIGEST_HEADER = "Docker-Content-Digest";

  private HeadManifest() {}

  static CompletableFuture<ManifestHead> read(CallHandler r) {
    return r.discard().thenApply(x -> head(r));
  }

  private static ManifestHead head(CallHandler r) {
    String d = r.headers().get(DIGEST_HEADER);
    Digest digest = d != null && Digest.isDigest(d.trim()) ? Digest.parse(d.trim()) : null;
    if (d != null && digest == null) {
      log.atDebug().addKeyValue("origin", r.origin()).log("upstream sent an invalid Docker-Content-Digest");
    }
    String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
    // RFC 9110 8.3: a recipient may take a missing type as application/octet-stream
    String mediaType = type == null ? "application/octet-stream" : MediaTypes.bare(type);
    return new ManifestHead(digest, mediaType, CallHandler.contentLength(r.headers()));
  }
}

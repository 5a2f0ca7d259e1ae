package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.oci.Digest;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.GrowingBlob;
import java.util.concurrent.CompletionException;
import io.wharf.proxy.registry.BlobService;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.RangeHeader;
import io.wharf.proxy.route.http.Responses;
import java.util.Optional;

/**
 * {@code /v2/<name>/blobs/<digest>}: GET and HEAD served zero-copy from the committed file, with
 * single {@code Range} requests answered 206 and unsatisfiable ones 416 (see {@link RangeHeader}
 * for several ranges: the whole blob), and DELETE.
 *
 * <p>Blobs are served as bytes, never with a {@code Content-Encoding}: clients hash what they
 * receive.
 */
final class BlobRoute {
  private final BlobService blobs;

  BlobRoute(BlobService blobs) {
    this.blobs = requireNonNull(blobs, "blobs");
  }

  /** GET and HEAD. */
  void get(Exchange exchange, Route route) {
    BlobContent blob = settled(blobs.require(route.requireName(), route.requireDigest()));
    Digest digest = blob.digest();
    HttpHeaders headers = Responses.headers()
        .set(Responses.DOCKER_CONTENT_DIGEST, digest.toString())
        .set(HttpHeaderNames.ETAG, Responses.etag(digest))
        .set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
    if (Responses.matchesIfNoneMatch(exchange, digest)) {
      exchange.send(HttpResponseStatus.NOT_MODIFIED, headers);
      return;
    }
    headers.set(HttpHeaderNames.CONTENT_TYPE, Responses.OCTET_STREAM);
    exchange.errorHeaders().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + blob.size());
    Optional<RangeHeader.ByteRange> range =
        rangeApplies(exchange, digest)
            ? RangeHeader.parse(exchange.header(HttpHeaderNames.RANGE), blob.size())
            : Optional.empty();
    if (range.isEmpty()) {
      send(exchange, HttpResponseStatus.OK, headers, blob, 0, blob.size());
      return;
    }
    RangeHeader.ByteRange r = range.get();
    headers.set(HttpHeaderNames.CONTENT_RANGE, r.contentRange(blob.size()));
    send(exchange, HttpResponseStatus.PARTIAL_CONTENT, headers, blob, r.start(), r.length());
  }

  private static void send(
      Exchange exchange, HttpResponseStatus status, HttpHeaders headers, BlobContent blob, long position, long count) {
    GrowingBlob growing = blob.growing();
    if (growing == null) {
      exchange.sendFile(status, headers, blob.path(), position, count);
    } else {
      exchange.sendGrowingFile(status, headers, growing, position, count);
    }
  }

  /**
   * A blob being fetched is served by following its file once the upstream has said its size (the
   * Content-Length must be right from the first byte); if it committed meanwhile, as committed.
   */
  private static BlobContent settled(BlobContent blob) {
    GrowingBlob growing = blob.growing();
    if (growing == null) {
      return blob;
    }
    if (growing.done().isDone() && !growing.done().isCompletedExceptionally()) {
      return growing.done().join();
    }
    long size;
    try {
      size = growing.size().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    return new BlobContent(blob.digest(), size, blob.path(), growing);
  }

  void delete(Exchange exchange, Route route) {
    blobs.delete(route.requireName(), route.requireDigest());
    exchange.send(HttpResponseStatus.ACCEPTED, Responses.headers());
  }

  // RFC 9110 13.1.5: with If-Range, the range applies only if the validator still matches; a blob
  // never changes, so only a different ETag (or a date, which we do not send) means "whole blob".
  private static boolean rangeApplies(Exchange exchange, Digest digest) {
    String ifRange = exchange.header(HttpHeaderNames.IF_RANGE);
    return ifRange == null || ifRange.trim().equals(Responses.etag(digest));
  }
}

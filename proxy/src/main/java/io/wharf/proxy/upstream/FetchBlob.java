package io.wharf.proxy.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A blob GET's 2xx answer, streamed to a {@link BlobSink}: 200 starts the sink at 0 with the
 * Content-Length as total; 206 starts it where Content-Range says, which must be the offset asked
 * for. Once a byte reached the sink a transport failure is final (UNAVAILABLE, detail {@code
 * truncated} or {@code connection reset}): the caller resumes with a Range request of its own.
 * Before that, the failure stays retryable.
 */
final class FetchBlob {
  private FetchBlob() {}

  static CompletableFuture<Void> read(CallHandler r, long offset, BlobSink sink) {
    int status = r.status();
    long start;
    long total;
    if (status == 206) {
      String header = r.headers().get(HttpHeaderNames.CONTENT_RANGE);
      long[] range = parseContentRange(header);
      if (range == null || range[0] != offset) {
        r.abort();
        return CompletableFuture.failedFuture(new OciException(
            OciError.UNAVAILABLE, "upstream answered bytes=" + offset + "- with Content-Range " + header, "bad range"));
      }
      start = range[0];
      total = range[2];
    } else if (status == 200) {
      start = 0;
      total = CallHandler.contentLength(r.headers());
    } else {
      r.discard();
      return CompletableFuture.failedFuture(
          new OciException(OciError.UNAVAILABLE, "upstream answered a blob GET with " + status, "upstream " + status));
    }
    try {
      sink.begin(start, total);
    } catch (RuntimeException e) {
      r.abort();
      return CompletableFuture.failedFuture(e);
    }
    boolean[] delivered = {false}; // touched on the connection's event loop only
    return r.stream(chunk -> {
          delivered[0] = true;
          return sink.write(chunk);
        })
        .handle((n, e) -> {
          if (e == null) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          Throwable c = CallHandler.unwrap(e);
          if (c instanceof TransportException t && delivered[0]) {
            return CompletableFuture.<Void>failedFuture(t.toOciException());
          }
          return CompletableFuture.<Void>failedFuture(c);
        })
        .thenCompose(Function.identity());
  }

  /** {start, end, total} of {@code bytes start-end/total}, total -1 for {@code *}; null when malformed. */
  static long @Nullable [] parseContentRange(@Nullable String header) {
    if (header == null) {
      return null;
    }
    String v = header.trim();
    if (!v.regionMatches(true, 0, "bytes ", 0, 6)) {
      return null;
    }
    v = v.substring(6).trim();
    int dash = v.indexOf('-');
    int slash = v.indexOf('/');
    if (dash <= 0 || slash < dash) {
      return null;
    }
    try {
      long start = Long.parseLong(v.substring(0, dash).trim());
      long end = Long.parseLong(v.substring(dash + 1, slash).trim());
      String t = v.substring(slash + 1).trim();
      long total = t.equals("*") ? -1 : Long.parseLong(t);
      if (start < 0 || end < start || (total >= 0 && end >= total)) {
        return null;
      }
      return new long[] {start, end, total};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.BlobService;
import io.wharf.proxy.registry.UploadService;
import io.wharf.proxy.registry.UploadSink;
import io.wharf.proxy.registry.UploadState;
import io.wharf.proxy.route.http.ContentRangeHeader;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v2/<name>/blobs/uploads/}: start (plain, monolithic with {@code ?digest=}, or a
 * cross-repository mount), PATCH a chunk, PUT to complete, GET the status, DELETE to cancel.
 *
 * <p>Bodies stream: each piece the decoder hands over goes straight to the session's
 * {@link UploadSink} and is released, so a 2 GiB push needs no more memory than a 2 KiB one. The
 * writes are synchronous on the thread running the route (not the event loop; see
 * {@code RouteHandler}); the connection's reads pause while they fall behind.
 *
 * <p>{@code Range} answers {@code 0-<last byte>} as distribution does, and {@code 0-0} for an
 * empty session (distribution's quirk, which clients expect, though it reads like one byte).
 * The {@code Location} of a session is relative, {@code /v2/<name>/blobs/uploads/<id>}, as
 * distribution sends it.
 */
final class UploadRoute {
  private static final Logger log = LoggerFactory.getLogger(UploadRoute.class);

  private final UploadService uploads;
  private final BlobService blobs;

  UploadRoute(UploadService uploads, BlobService blobs) {
    this.uploads = requireNonNull(uploads, "uploads");
    this.blobs = requireNonNull(blobs, "blobs");
  }

  /** POST {@code /blobs/uploads/}: mount, monolithic upload, or a new session. */
  @Nullable BodyConsumer start(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    String mount = route.param("mount");
    if (mount != null) {
      Optional<BlobContent> mounted = mount(repo, mount, route.param("from"));
      if (mounted.isPresent()) {
        sendCreated(exchange, route.requireSentName(), mounted.get().digest());
        return null;
      }
      // spec: a mount that cannot happen falls back to a new session (202)
    }
    String digestParam = route.param("digest");
    if (digestParam != null && mount == null) {
      Digest digest = Digest.parse(digestParam);
      UploadState state = uploads.start(repo);
      UploadSink sink = open(exchange, repo, state.id(), -1);
      return new UploadBody(exchange, route.requireSentName(), repo, state.id(), sink, digest, true);
    }
    UploadState state = uploads.start(repo);
    exchange.send(HttpResponseStatus.ACCEPTED, sessionHeaders(route.requireSentName(), state.id(), state.offset()));
    return null;
  }

  /** PATCH: appends one chunk, in order ({@code Content-Range} optional). */
  BodyConsumer patch(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    String id = route.requireUploadId();
    sessionErrorHeaders(exchange, route.requireSentName(), id);
    long start = expectedStart(exchange, repo, id);
    UploadSink sink = open(exchange, repo, id, start);
    return new UploadBody(exchange, route.requireSentName(), repo, id, sink, null, false);
  }

  /** PUT {@code ?digest=}: the last chunk (optional), then verify and commit. */
  @Nullable BodyConsumer put(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    String id = route.requireUploadId();
    String digestParam = route.param("digest");
    if (digestParam == null) {
      throw new OciException(OciError.DIGEST_INVALID, "the digest query parameter is required to complete an upload");
    }
    Digest digest = Digest.parse(digestParam);
    if (!hasBody(exchange)) {
      BlobContent blob = uploads.complete(repo, id, digest);
      sendCreated(exchange, route.requireSentName(), blob.digest());
      return null;
    }
    sessionErrorHeaders(exchange, route.requireSentName(), id);
    long start = expectedStart(exchange, repo, id);
    UploadSink sink = open(exchange, repo, id, start);
    return new UploadBody(exchange, route.requireSentName(), repo, id, sink, digest, false);
  }

  /** GET: where the session stands. */
  void status(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    UploadState state = uploads.status(repo, route.requireUploadId());
    exchange.send(HttpResponseStatus.NO_CONTENT, sessionHeaders(route.requireSentName(), state.id(), state.offset()));
  }

  /** DELETE: cancels the session. */
  void cancel(Exchange exchange, Route route) {
    uploads.cancel(route.requireName(), route.requireUploadId());
    exchange.send(HttpResponseStatus.NO_CONTENT, Responses.headers());
  }

  private Optional<BlobContent> mount(RepositoryName repo, String mount, @Nullable String from) {
    if (from == null || !Digest.isDigest(mount)) {
      return Optional.empty();
    }
    RepositoryName source;
    try {
      source = RepositoryName.parse(from);
    } catch (OciException e) {
      return Optional.empty();
    }
    return blobs.mount(repo, source, Digest.parse(mount));
  }

  /**
   * Opens the session; a RANGE_INVALID (416) answer carries where the session stands, as the
   * spec asks, so the client can resume from there.
   */
  private UploadSink open(Exchange exchange, RepositoryName repo, String id, long start) {
    try {
      return uploads.open(repo, id, start);
    } catch (OciException e) {
      if (e.error() == OciError.RANGE_INVALID) {
        addRange(exchange, repo, id);
      }
      throw e;
    }
  }

  /** The start of the chunk the client declares in {@code Content-Range}, or -1 when it does not. */
  private long expectedStart(Exchange exchange, RepositoryName repo, String id) {
    String header = exchange.header(HttpHeaderNames.CONTENT_RANGE);
    if (header == null) {
      return -1;
    }
    ContentRangeHeader.Span span;
    try {
      span = ContentRangeHeader.parse(header);
    } catch (OciException e) {
      addRange(exchange, repo, id);
      throw e;
    }
    long declared = HttpUtil.getContentLength(exchange.request(), -1L);
    if (declared >= 0 && declared != span.length()) {
      throw new OciException(
          OciError.SIZE_INVALID, "Content-Length " + declared + " does not match Content-Range " + span.start() + "-" + span.end());
    }
    return span.start();
  }

  /** A failed chunk still tells the client where to resume (spec: the 416 of an upload). */
  private static void sessionErrorHeaders(Exchange exchange, RepositoryName repo, String id) {
    exchange.errorHeaders().set(HttpHeaderNames.LOCATION, location(repo, id)).set(Responses.DOCKER_UPLOAD_UUID, id);
  }

  private void addRange(Exchange exchange, RepositoryName repo, String id) {
    try {
      exchange.errorHeaders().set(HttpHeaderNames.RANGE, range(uploads.status(repo, id).offset()));
    } catch (OciException e) {
      // the session is gone too: the answer carries no Range then
    }
  }

  private static boolean hasBody(Exchange exchange) {
    return HttpUtil.getContentLength(exchange.request(), 0L) > 0 || HttpUtil.isTransferEncodingChunked(exchange.request());
  }

  private static void sendCreated(Exchange exchange, RepositoryName repo, Digest digest) {
    HttpHeaders headers = Responses.headers()
        .set(HttpHeaderNames.LOCATION, "/v2/" + repo + "/blobs/" + digest)
        .set(Responses.DOCKER_CONTENT_DIGEST, digest.toString());
    exchange.send(HttpResponseStatus.CREATED, headers);
  }

  private static HttpHeaders sessionHeaders(RepositoryName repo, String id, long offset) {
    return Responses.headers()
        .set(HttpHeaderNames.LOCATION, location(repo, id))
        .set(HttpHeaderNames.RANGE, range(offset))
        .set(Responses.DOCKER_UPLOAD_UUID, id);
  }

  static String location(RepositoryName repo, String id) {
    return "/v2/" + repo + "/blobs/uploads/" + id;
  }

  static String range(long offset) {
    return "0-" + Math.max(0, offset - 1);
  }

  /**
   * One request's bytes into a session; on end, either a 202 with the new offset or, with a
   * digest, the commit and a 201.
   */
  private final class UploadBody implements BodyConsumer {
    private final Exchange exchange;
    /** The repository as the client named it, for the URLs answered to it. */
    private final RepositoryName sent;
    private final RepositoryName repo;
    private final String id;
    private final UploadSink sink;
    private final @Nullable Digest digest;
    private final boolean ownsSession;
    private boolean closed;

    UploadBody(
        Exchange exchange, RepositoryName sent, RepositoryName repo, String id, UploadSink sink, @Nullable Digest digest,
        boolean ownsSession) {
      this.exchange = exchange;
      this.sent = sent;
      this.repo = repo;
      this.id = id;
      this.sink = sink;
      this.digest = digest;
      this.ownsSession = ownsSession;
    }

    @Override
    public void content(ByteBuf content) {
      if (!content.isReadable()) {
        return;
      }
      if (content.nioBufferCount() == 1) {
        sink.write(content.nioBuffer());
        return;
      }
      for (ByteBuffer b : content.nioBuffers()) {
        sink.write(b);
      }
    }

    @Override
    public void end() {
      long offset = sink.offset();
      closeSink();
      if (digest == null) {
        exchange.send(HttpResponseStatus.ACCEPTED, sessionHeaders(sent, id, offset));
        return;
      }
      BlobContent blob = uploads.complete(repo, id, digest);
      sendCreated(exchange, sent, blob.digest());
    }

    @Override
    public void abort() {
      try {
        closeSink();
        if (ownsSession) {
          // a monolithic POST that failed leaves nothing a client could resume
          uploads.cancel(repo, id);
        }
      } catch (RuntimeException e) {
        log.atDebug().addKeyValue("upload", id).setCause(e).log("cleanup of an aborted upload failed");
      }
    }

    private void closeSink() {
      if (!closed) {
        closed = true;
        sink.close();
      }
    }
  }
}

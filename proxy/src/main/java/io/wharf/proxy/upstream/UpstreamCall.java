package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.wharf.oci.OciException;
import io.wharf.proxy.upstream.TokenAuth.Credential;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one request: sends it, follows redirects, answers authentication challenges, and
 * hands a 2xx response to the caller's handler. The retry loop around attempts is {@link Retries}'.
 *
 * <p>Failure: an error status becomes its {@link OciException} ({@link UpstreamErrors}), wrapped
 * in a {@link RetryableException} for 429 and 5xx; a {@link TransportException} becomes
 * UNAVAILABLE, retryable unless it was a TLS refusal. A connection that turns out stale before any
 * answer is resent once on a new one, without counting as a retry. Not thread-safe: one attempt
 * runs one step at a time.
 */
final class UpstreamCall<T> {
  private static final Logger log = LoggerFactory.getLogger(UpstreamCall.class);

  /** The most challenges answered in one attempt: a token, then a fresh token. */
  private static final int MAX_AUTH_ROUNDS = 3;

  /** What the caller does with a 2xx response; owns its body. */
  interface OnSuccess<T> {
    CompletableFuture<T> accept(CallHandler response);
  }

  /** What every call of one client shares. */
  record Context(ConnectionPool pool, long readTimeoutNanos, Retries retries) {}

  private final Context context;
  private final HttpMethod method;
  private final URI url;
  private final HttpHeaders headers;
  private final Origin authOrigin;
  private final @Nullable TokenAuth auth;
  private final @Nullable String fixedAuthorization;
  private final String repository;
  private final UpstreamErrors.Target target;
  private final OnSuccess<T> onSuccess;
  private final CompletableFuture<?> owner;
  private @Nullable Credential credential;
  private int authRounds;
  private boolean staleResent;

  /**
   * @param authOrigin the only origin that may receive the Authorization header
   * @param auth answers the upstream's challenges; null for a request to a token endpoint
   * @param fixedAuthorization sent to {@code authOrigin} when there is no {@code auth}
   * @param owner the future the caller holds: cancelling it aborts the exchange in progress
   */
  UpstreamCall(
      Context context,
      HttpMethod method,
      URI url,
      HttpHeaders headers,
      Origin authOrigin,
      @Nullable TokenAuth auth,
      @Nullable String fixedAuthorization,
      String repository,
      UpstreamErrors.Target target,
      OnSuccess<T> onSuccess,
      CompletableFuture<?> owner) {
    this.context = requireNonNull(context, "context");
    this.method = requireNonNull(method, "method");
    this.url = requireNonNull(url, "url");
    this.headers = requireNonNull(headers, "headers");
    this.authOrigin = requireNonNull(authOrigin, "authOrigin");
    this.auth = auth;
    this.fixedAuthorization = fixedAuthorization;
    this.repository = requireNonNull(repository, "repository");
    this.target = requireNonNull(target, "target");
    this.onSuccess = requireNonNull(onSuccess, "onSuccess");
    this.owner = requireNonNull(owner, "owner");
  }

  /** Runs the attempt; see the class comment for how it fails. */
  CompletableFuture<T> run() {
    CompletableFuture<@Nullable Credential> first =
        auth == null ? CompletableFuture.completedFuture(null) : auth.preemptive(repository);
    return first
        .thenCompose(c -> {
          credential = c;
          return send(url, 0);
        })
        .handle((v, e) -> e == null ? CompletableFuture.completedFuture(v) : CompletableFuture.<T>failedFuture(translate(e)))
        .thenCompose(Function.identity());
  }

  private CompletableFuture<T> send(URI to, int hops) {
    Origin origin = Origin.of(to);
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, pathAndQuery(to), Unpooled.EMPTY_BUFFER);
    HttpHeaders h = request.headers();
    h.set(HttpHeaderNames.HOST, origin.hostHeader());
    h.set(HttpHeaderNames.USER_AGENT, "wharf");
    h.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY); // clients hash the bytes as sent
    h.add(headers);
    String authorization = credential != null ? credential.header() : fixedAuthorization;
    boolean withAuthorization = authorization != null && Redirects.mayCarryAuthorization(authOrigin, to);
    if (withAuthorization) {
      h.set(HttpHeaderNames.AUTHORIZATION, authorization);
    }
    log.atDebug()
        .addKeyValue("method", method)
        .addKeyValue("url", Redacted.url(to))
        .addKeyValue("authorization", withAuthorization ? (credential != null && credential.bearer() ? "bearer" : "basic") : "none")
        .log("upstream request");
    return CallHandler.send(context.pool(), origin, request, context.readTimeoutNanos(), owner)
        .handle((r, e) -> {
          if (e == null) {
            return onResponse(r, to, hops);
          }
          Throwable c = CallHandler.unwrap(e);
          if (c instanceof TransportException t && t.kind() == TransportException.Kind.STALE && !staleResent) {
            staleResent = true;
            return send(to, hops);
          }
          return CompletableFuture.<T>failedFuture(c);
        })
        .thenCompose(Function.identity());
  }

  private CompletableFuture<T> onResponse(CallHandler r, URI from, int hops) {
    int status = r.status();
    log.atDebug().addKeyValue("url", Redacted.url(from)).addKeyValue("status", status).log("upstream response");
    if (status >= 200 && status < 300) {
      return onSuccess.accept(r);
    }
    if (Redirects.isRedirect(status)) {
      URI next;
      try {
        next = Redirects.next(from, r.headers().get(HttpHeaderNames.LOCATION), hops);
      } catch (OciException e) {
        r.discard();
        return CompletableFuture.failedFuture(e);
      }
      return r.discard().thenCompose(x -> send(next, hops + 1));
    }
    return r.readAll(CallHandler.SMALL_BODY)
        .handle((body, e) -> e == null ? body : null) // an unreadable error body is no reason to fail differently
        .thenCompose(body -> onError(r, from, hops, status, body));
  }

  private CompletableFuture<T> onError(CallHandler r, URI from, int hops, int status, byte @Nullable [] body) {
    if (status == 401 && auth != null && Origin.of(from).equals(authOrigin) && authRounds < MAX_AUTH_ROUNDS) {
      authRounds++;
      return auth.answer(r.headers().getAll(HttpHeaderNames.WWW_AUTHENTICATE), repository, credential, UpstreamErrors.errorText(body))
          .thenCompose(c -> {
            credential = c;
            return send(from, hops);
          });
    }
    OciException failure = UpstreamErrors.forStatus(status, body, target);
    if (Retries.isRetryableStatus(status)) {
      return CompletableFuture.failedFuture(context.retries().retryable(failure, r.headers().get(HttpHeaderNames.RETRY_AFTER)));
    }
    return CompletableFuture.failedFuture(failure);
  }

  private static Throwable translate(Throwable e) {
    Throwable c = CallHandler.unwrap(e);
    if (c instanceof TransportException t) {
      OciException oci = t.toOciException();
      return t.retryable() ? new RetryableException(oci, null) : oci;
    }
    return c;
  }

  private static String pathAndQuery(URI u) {
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
  }

  /** Headers for a request, beyond Host, User-Agent, Accept-Encoding and Authorization. */
  static HttpHeaders headers() {
    return new DefaultHttpHeaders();
  }
}

package io.wharf.proxy.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.wharf.proxy.config.ServerConfig;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.route.BodyLimits;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.Routes;
import io.wharf.proxy.tls.ServerTls;
import org.jspecify.annotations.Nullable;

/**
 * Builds each connection's pipeline:
 *
 * <pre>
 * HeaderTimeout.bytes -> HttpServerCodec (size limits) -> HeaderTimeout.requests -> HeaderCountLimit
 *   -> IdleTimeoutHandler -> FlowControlHandler -> AccessLogHandler -> UploadFlowControl
 *   -> RouteHandler (which runs requests on one of the route threads)
 * </pre>
 *
 * (The FlowControlHandler keeps decoded messages waiting while UploadFlowControl has reads
 * paused; the idle timeout sits before it, so messages held there do not look like a read in
 * progress.)
 *
 * <p>On the HTTPS listener, an {@code SslHandler} (and {@link TlsFailureHandler}) comes first, and a
 * {@code ChunkedWriteHandler} after the access log: file bodies cannot go zero-copy through TLS, so
 * they are read in chunks, which the access log then counts as they pass.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  /** The request line: a URI with a 255-character name and a digest fits many times over. */
  static final int MAX_INITIAL_LINE = 8 * 1024;
  /**
   * The largest body piece the decoder hands on: no copy is made, it only bounds a slice of what
   * one socket read returned, so larger means fewer writes to the upload file.
   */
  static final int MAX_CHUNK = 1024 * 1024;
  /** Body bytes queued for the route thread before reads pause, and where they resume. */
  static final long FLOW_HIGH = 2L * 1024 * 1024;
  static final long FLOW_LOW = 512L * 1024;

  private final ServerConfig config;
  private final Router router;
  private final Routes routes;
  private final RouteLanes routeLanes;
  private final @Nullable WharfMetrics metrics;
  private final @Nullable ServerTls tls;
  private final HeaderCountLimit headerCount;
  private final BodyLimits bodyLimits;

  ServerInitializer(ServerConfig config, Router router, Routes routes, RouteLanes routeLanes) {
    this(config, router, routes, routeLanes, null);
  }

  /** @param metrics where the access log counts requests; null counts nothing */
  ServerInitializer(
      ServerConfig config, Router router, Routes routes, RouteLanes routeLanes, @Nullable WharfMetrics metrics) {
    this(config, router, routes, routeLanes, metrics, null);
  }

  /** @param tls the HTTPS listener's TLS; null for plain HTTP */
  ServerInitializer(ServerConfig config, Router router, Routes routes, RouteLanes routeLanes,
      @Nullable WharfMetrics metrics, @Nullable ServerTls tls) {
    this.config = requireNonNull(config, "config");
    this.router = requireNonNull(router, "router");
    this.routes = requireNonNull(routes, "routes");
    this.routeLanes = requireNonNull(routeLanes, "routeLanes");
    this.metrics = metrics;
    this.tls = tls;
    this.headerCount = new HeaderCountLimit(config.maxHeaderCount());
    this.bodyLimits = new BodyLimits(config.maxManifestSize().bytes());
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    configure(ch.pipeline());
  }

  /** Adds wharf's handlers to a pipeline (a socket's, or an embedded one in tests). */
  void configure(ChannelPipeline p) {
    if (tls != null) {
      // a handler from the context current now: a certificate reloaded from disk serves the next connection
      p.addLast(PipelineNames.TLS, tls.newHandler(p.channel().alloc()));
      p.addLast(PipelineNames.TLS_FAILURES, new TlsFailureHandler());
    }
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(config.maxHeaderSize().toIntExact())
        .setMaxChunkSize(MAX_CHUNK);
    HeaderTimeout headerTimeout = new HeaderTimeout(config.headerTimeout());
    p.addLast(PipelineNames.HEADER_TIMEOUT_START, headerTimeout.bytes());
    p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoder));
    p.addLast(PipelineNames.HEADER_TIMEOUT_END, headerTimeout.requests());
    p.addLast(PipelineNames.HEADER_COUNT, headerCount);
    if (!config.idleTimeout().isZero()) {
      p.addLast(PipelineNames.IDLE_TIMEOUT, new IdleTimeoutHandler(config.idleTimeout()));
    }
    p.addLast(PipelineNames.READ_GATE, new FlowControlHandler());
    p.addLast(PipelineNames.ACCESS_LOG, new AccessLogHandler(metrics));
    UploadFlowControl flow = new UploadFlowControl(FLOW_HIGH, FLOW_LOW);
    p.addLast(PipelineNames.UPLOAD_FLOW_CONTROL, flow);
    p.addLast(PipelineNames.ROUTE, new RouteHandler(router, routes, flow, routeLanes.lane(), bodyLimits));
    if (tls != null) {
      p.addAfter(PipelineNames.ACCESS_LOG, PipelineNames.CHUNKED_WRITE, new ChunkedWriteHandler());
    }
  }
}

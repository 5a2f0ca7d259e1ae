package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.upstream.BreakerState;
import io.wharf.proxy.upstream.Resolution;
import io.wharf.proxy.upstream.UpstreamResolver;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distribution API's resources, one route object each, and the dispatch of a parsed
 * {@link Route} to the method for its verb.
 *
 * <p>Thread-safe: routes hold only services, which are.
 */
public final class Routes {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);
  /** Methods that change a repository: allowed only in local projects. */
  private static final Set<HttpMethod> WRITES =
      Set.of(HttpMethod.PUT, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE);

  private final BaseRoute base = new BaseRoute();
  private final ManifestRoute manifests;
  private final BlobRoute blobs;
  private final UploadRoute uploads;
  private final TagListRoute tags;
  private final CatalogRoute catalog;
  private final ReferrersRoute referrers;
  private final HealthRoute health;
  private final @Nullable MetricsRoute metrics;
  private final @Nullable UpstreamResolver resolver;
  private final @Nullable AdminEndpoint admin;

  /**
   * What the operational endpoints ({@code /metrics}, {@code /healthz}, {@code /readyz}) show.
   *
   * @param metrics the registry {@code /metrics} scrapes
   * @param upstreams each upstream's breaker state, read per {@code /readyz} request
   * @param ready whether storage is open and wharf can serve; false makes {@code /readyz} 503
   */
  public record Extras(WharfMetrics metrics, Supplier<Map<String, BreakerState>> upstreams, BooleanSupplier ready) {
    public Extras {
      requireNonNull(metrics, "metrics");
      requireNonNull(upstreams, "upstreams");
      requireNonNull(ready, "ready");
    }

    /** Extras for a wharf that is ready whenever it answers (storage opens before the server). */
    public static Extras of(WharfMetrics metrics, Supplier<Map<String, BreakerState>> upstreams) {
      return new Extras(metrics, upstreams, () -> true);
    }
  }

  /**
   * @param registry the services behind the API
   * @param maxManifestSize the cap on a pushed manifest's body, in bytes
   */
  public Routes(Registry registry, int maxManifestSize) {
    this(registry, maxManifestSize, null);
  }

  /**
   * @param extras what {@code /metrics} and {@code /readyz} show; without it {@code /metrics} is
   *     404 and {@code /readyz} lists no upstreams
   */
  public Routes(Registry registry, int maxManifestSize, @Nullable Extras extras) {
    this(registry, maxManifestSize, extras, null);
  }

  /**
   * @param resolver resolves each request's repository name to the name it is stored under, once,
   *     before dispatch (DESIGN.md "Which upstream a request means"); null takes every name as
   *     sent, as the local registry of issue 2 did (tests of the local registry only: the daemon
   *     passes {@code UpstreamResolver.of(config)})
   */
  public Routes(
      Registry registry, int maxManifestSize, @Nullable Extras extras, @Nullable UpstreamResolver resolver) {
    this(registry, maxManifestSize, extras, resolver, null);
  }

  /**
   * @param admin answers {@code /api/wharf/v1/...}; null makes those paths 404
   */
  public Routes(
      Registry registry,
      int maxManifestSize,
      @Nullable Extras extras,
      @Nullable UpstreamResolver resolver,
      @Nullable AdminEndpoint admin) {
    requireNonNull(registry, "registry");
    this.resolver = resolver;
    this.admin = admin;
    this.health = extras == null ? new HealthRoute(Map::of, () -> true) : new HealthRoute(extras.upstreams(), extras.ready());
    this.metrics = extras == null ? null : new MetricsRoute(extras.metrics());
    this.manifests = new ManifestRoute(registry.manifests(), maxManifestSize);
    this.blobs = new BlobRoute(registry.blobs());
    this.uploads = new UploadRoute(registry.uploads(), registry.blobs());
    this.tags = new TagListRoute(registry.listings());
    this.catalog = new CatalogRoute(registry.listings());
    this.referrers = new ReferrersRoute(registry.listings());
  }

  /**
   * Answers the request, or returns the consumer of its body when the route reads one (the
   * answer then comes at {@link BodyConsumer#end}). A body of a request whose route reads none is
   * the caller's to discard.
   *
   * @throws io.wharf.oci.OciException whatever the route or its service refuses
   */
  public @Nullable BodyConsumer dispatch(Exchange exchange, Route parsed) {
    Route route = resolve(parsed);
    HttpMethod method = route.method();
    switch (route.kind()) {
      case BASE -> base.get(exchange);
      case CATALOG -> catalog.get(exchange, route);
      case TAGS -> tags.get(exchange, route);
      case REFERRERS -> referrers.get(exchange, route);
      case MANIFEST -> {
        if (method.equals(HttpMethod.PUT)) {
          return manifests.put(exchange, route);
        } else if (method.equals(HttpMethod.DELETE)) {
          manifests.delete(exchange, route);
        } else {
          manifests.get(exchange, route);
        }
      }
      case BLOB -> {
        if (method.equals(HttpMethod.DELETE)) {
          blobs.delete(exchange, route);
        } else {
          blobs.get(exchange, route);
        }
      }
      case UPLOAD_START -> {
        return uploads.start(exchange, route);
      }
      case UPLOAD -> {
        if (method.equals(HttpMethod.PATCH)) {
          return uploads.patch(exchange, route);
        } else if (method.equals(HttpMethod.PUT)) {
          return uploads.put(exchange, route);
        } else if (method.equals(HttpMethod.DELETE)) {
          uploads.cancel(exchange, route);
        } else {
          uploads.status(exchange, route);
        }
      }
      case HEALTH -> health.healthz(exchange);
      case READY -> health.readyz(exchange);
      case METRICS -> {
        if (metrics == null) {
          throw Route.notFound(route.path());
        }
        metrics.get(exchange);
      }
      case ADMIN -> {
        if (admin == null) {
          throw Route.notFound(route.path());
        }
        return admin.handle(exchange, route);
      }
      case NOT_FOUND -> throw Route.notFound(route.path());
    }
    return null;
  }

  /**
   * The route naming the repository as stored: {@code ?ns=} or the name's prefix picks an upstream
   * or a local project, and a write anywhere but a local project is DENIED here, before any route
   * or service runs. Routes never branch on local versus proxied themselves.
   */
  private Route resolve(Route route) {
    RepositoryName sent = route.name();
    if (resolver == null || sent == null) {
      return route;
    }
    Resolution resolution = resolver.resolve(sent, route.param("ns"), WRITES.contains(route.method()));
    log.atDebug()
        .addKeyValue("name", sent)
        .addKeyValue("canonical", resolution.canonical())
        .addKeyValue("row", resolution.row())
        .log("resolved repository");
    return resolution.canonical().equals(sent) ? route : route.withName(resolution.canonical());
  }
}

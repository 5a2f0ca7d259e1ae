package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.route.http.Exchange;
import org.jspecify.annotations.Nullable;

/**
 * The distribution API's resources, one route object each, and the dispatch of a parsed
 * {@link Route} to the method for its verb.
 *
 * <p>Thread-safe: routes hold only services, which are.
 */
public final class Routes {
  private final BaseRoute base = new BaseRoute();
  private final ManifestRoute manifests;
  private final BlobRoute blobs;
  private final UploadRoute uploads;
  private final TagListRoute tags;
  private final CatalogRoute catalog;
  private final ReferrersRoute referrers;

  /**
   * @param registry the services behind the API
   * @param maxManifestSize the cap on a pushed manifest's body, in bytes
   */
  public Routes(Registry registry, int maxManifestSize) {
    requireNonNull(registry, "registry");
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
  public @Nullable BodyConsumer dispatch(Exchange exchange, Route route) {
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
      case NOT_FOUND -> throw Route.notFound(route.path());
    }
    return null;
  }
}

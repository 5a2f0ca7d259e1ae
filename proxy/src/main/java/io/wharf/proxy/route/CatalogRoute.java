package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.proxy.registry.ListingService;
import io.wharf.proxy.registry.Page;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;

/** {@code GET /v2/_catalog?n=&last=}: {@code {"repositories":[..]}}, with a next Link. */
final class CatalogRoute {
  private final ListingService listings;

  CatalogRoute(ListingService listings) {
    this.listings = requireNonNull(listings, "listings");
  }

  void get(Exchange exchange, Route route) {
    Pagination page = Pagination.of(route);
    Page repositories = listings.catalog(page.last(), page.n());
    ObjectNode body = Responses.mapper().createObjectNode();
    repositories.items().forEach(body.putArray("repositories")::add);
    exchange.send(
        HttpResponseStatus.OK, TagListRoute.listingHeaders(route, page, repositories), Responses.json(body));
  }
}

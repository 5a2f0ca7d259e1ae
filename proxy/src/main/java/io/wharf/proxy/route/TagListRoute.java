package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.registry.ListingService;
import io.wharf.proxy.registry.Page;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.LinkHeader;
import io.wharf.proxy.route.http.Responses;

/** {@code GET /v2/<name>/tags/list?n=&last=}: {@code {"name":..,"tags":[..]}}, with a next Link. */
final class TagListRoute {
  private final ListingService listings;

  TagListRoute(ListingService listings) {
    this.listings = requireNonNull(listings, "listings");
  }

  void get(Exchange exchange, Route route) {
    RepositoryName repo = route.requireName();
    Pagination page = Pagination.of(route);
    Page tags = listings.tags(repo, page.last(), page.n());
    ObjectNode body = Responses.mapper().createObjectNode();
    body.put("name", repo.value());
    tags.items().forEach(body.putArray("tags")::add);
    exchange.send(HttpResponseStatus.OK, listingHeaders(route, page, tags), Responses.json(body));
  }

  /** JSON, plus {@code Link} to the next page when there is one. */
  static HttpHeaders listingHeaders(Route route, Pagination page, Page items) {
    HttpHeaders headers = Responses.headers().set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON);
    if (items.more() && !items.items().isEmpty()) {
      String last = items.items().get(items.items().size() - 1);
      headers.set("Link", LinkHeader.next(route.path(), last, page.n()));
    }
    return headers;
  }
}

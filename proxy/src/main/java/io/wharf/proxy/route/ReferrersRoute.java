package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.proxy.registry.ListingService;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v2/<name>/referrers/<digest>?artifactType=}: the manifests whose subject is the
 * digest, as an OCI image index (spec "Listing Referrers"); an unknown digest has none, which is
 * an empty index, not an error.
 */
final class ReferrersRoute {
  private final ListingService listings;

  ReferrersRoute(ListingService listings) {
    this.listings = requireNonNull(listings, "listings");
  }

  void get(Exchange exchange, Route route) {
    String artifactType = route.param("artifactType");
    if (artifactType != null && artifactType.isEmpty()) {
      artifactType = null;
    }
    List<Descriptor> referrers = listings.referrers(route.requireName(), route.requireDigest(), artifactType);
    ObjectNode index = Responses.mapper().createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    for (Descriptor d : referrers) {
      ObjectNode m = manifests.addObject();
      m.put("mediaType", d.mediaType());
      m.put("digest", d.digest().toString());
      m.put("size", d.size());
      if (d.artifactType() != null) {
        m.put("artifactType", d.artifactType());
      }
      if (!d.annotations().isEmpty()) {
        ObjectNode annotations = m.putObject("annotations");
        for (Map.Entry<String, String> a : d.annotations().entrySet()) {
          annotations.put(a.getKey(), a.getValue());
        }
      }
    }
    HttpHeaders headers = Responses.headers().set(HttpHeaderNames.CONTENT_TYPE, MediaTypes.OCI_INDEX);
    if (artifactType != null) {
      headers.set(Responses.OCI_FILTERS_APPLIED, "artifactType");
    }
    exchange.send(HttpResponseStatus.OK, headers, Responses.json(index));
  }
}

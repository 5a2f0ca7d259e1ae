package io.wharf.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.wharf.proxy.auth.AccessPolicy.Requirement;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every (method, path) the router knows needs, read through the router itself. */
final class RouteAccessTest {
  private static final String D = "sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String ID = "6f1c2e2a-3c1d-4c6b-9d55-3f2e7a9b1c00";

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("GET", "/v2/", Requirement.ACCOUNT),
        Arguments.of("HEAD", "/v2/", Requirement.ACCOUNT),
        Arguments.of("GET", "/v2/_catalog", Requirement.CATALOG),
        Arguments.of("GET", "/v2/p/app/manifests/latest", Requirement.PULL),
        Arguments.of("HEAD", "/v2/p/app/manifests/" + D, Requirement.PULL),
        Arguments.of("PUT", "/v2/p/app/manifests/v1", Requirement.PUSH),
        Arguments.of("DELETE", "/v2/p/app/manifests/" + D, Requirement.DELETE),
        Arguments.of("GET", "/v2/p/app/blobs/" + D, Requirement.PULL),
        Arguments.of("HEAD", "/v2/p/app/blobs/" + D, Requirement.PULL),
        Arguments.of("DELETE", "/v2/p/app/blobs/" + D, Requirement.DELETE),
        Arguments.of("POST", "/v2/p/app/blobs/uploads/", Requirement.PUSH),
        Arguments.of("GET", "/v2/p/app/blobs/uploads/" + ID, Requirement.PUSH),
        Arguments.of("PATCH", "/v2/p/app/blobs/uploads/" + ID, Requirement.PUSH),
        Arguments.of("PUT", "/v2/p/app/blobs/uploads/" + ID, Requirement.PUSH),
        Arguments.of("DELETE", "/v2/p/app/blobs/uploads/" + ID, Requirement.PUSH),
        Arguments.of("GET", "/v2/p/app/tags/list", Requirement.PULL),
        Arguments.of("GET", "/v2/p/app/referrers/" + D, Requirement.PULL),
        Arguments.of("GET", "/metrics", Requirement.OPEN),
        Arguments.of("GET", "/healthz", Requirement.OPEN),
        Arguments.of("GET", "/readyz", Requirement.OPEN),
        Arguments.of("GET", "/service/token?service=wharf&scope=repository:p/app:pull", Requirement.OPEN),
        Arguments.of("GET", "/console", Requirement.OPEN),
        Arguments.of("GET", "/api/wharf/v1/robots", Requirement.ADMIN_API),
        Arguments.of("POST", "/api/wharf/v1/admin/password/reset", Requirement.ADMIN_API));
  }

  @ParameterizedTest(name = "{0} {1} needs {2}")
  @MethodSource("table")
  void eachRouteNeedsWhatHarborAsks(String method, String uri, Requirement needed) {
    Route route = new Router().parse(HttpMethod.valueOf(method), uri);

    assertThat(RouteAccess.of(route.kind(), route.method())).isEqualTo(needed);
  }
}

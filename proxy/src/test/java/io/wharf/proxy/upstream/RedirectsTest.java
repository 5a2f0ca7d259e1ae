package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RedirectsTest {
  private static final URI FROM = URI.create("https://registry.example/v2/a/blobs/sha256:00");

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "https://cdn.example/x?sig=a%2Fb      | https://cdn.example/x?sig=a%2Fb",
    "/v2/a/blobs/other                    | https://registry.example/v2/a/blobs/other",
    "other                                | https://registry.example/v2/a/blobs/other",
    "//cdn.example/x                      | https://cdn.example/x",
    "http://cdn.example/x                 | http://cdn.example/x",
    "https://cdn.example/x?a=b^c d        | https://cdn.example/x?a=b%5Ec%20d",
  })
  void resolvesTheLocation(String location, String expected) {
    assertThat(Redirects.next(FROM, location, 0)).isEqualTo(URI.create(expected));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", value = {"ftp://cdn.example/x | 0", "null | 0", "'  ' | 0", "https://cdn.example/x | 5"})
  void refusesWhatItWillNotFollow(String location, int hops) {
    assertThatThrownBy(() -> Redirects.next(FROM, location, hops))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE));
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource({
    "https://registry.example,     https://registry.example/v2/x,      true",
    "https://registry.example,     https://registry.example:443/v2/x,  true",
    "https://registry.example,     https://REGISTRY.example/v2/x,      true",
    "https://registry.example,     http://registry.example/v2/x,       false",
    "https://registry.example,     https://registry.example:5000/v2/x, false",
    "https://registry.example,     https://cdn.example/x,              false",
    "http://127.0.0.1:5000,        http://127.0.0.1:5001/x,            false",
  })
  void sendsAuthorizationOnlyToItsOwnOrigin(String owner, String to, boolean allowed) {
    assertThat(Redirects.mayCarryAuthorization(Origin.of(URI.create(owner)), URI.create(to))).isEqualTo(allowed);
  }
}

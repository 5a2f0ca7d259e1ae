package io.wharf.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One table of request target to route label, with the Router's tricky names. */
final class RouteLabelTest {
  private static final String D = "sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String ID = "6f1c2e2a-3c1d-4c6b-9d55-3f2e7a9b1c00";

  static Stream<Arguments> labels() {
    return Stream.of(
        Arguments.of("/v2/", "base"),
        Arguments.of("/v2", "base"),
        Arguments.of("http://127.0.0.1:5050/v2/?x=1", "base"),
        Arguments.of("/v2/_catalog?n=10", "catalog"),
        Arguments.of("/v2/library/nginx/manifests/latest?ns=docker.io", "manifest"),
        Arguments.of("/v2/a/manifests/b/manifests/latest", "manifest"),
        Arguments.of("/v2/a/tags/b/manifests/list", "manifest"),
        Arguments.of("/v2/a/blobs/" + D, "blob"),
        Arguments.of("/v2/blobs/uploads/blobs/" + D, "blob"),
        Arguments.of("/v2/a/blobs/uploads/", "upload"),
        Arguments.of("/v2/a/blobs/uploads", "upload"),
        Arguments.of("/v2/a/blobs/uploads/" + ID + "?digest=" + D, "upload"),
        Arguments.of("/v2/uploads/blobs/uploads/" + ID, "upload"),
        Arguments.of("/v2/a/tags/list?n=2", "tags"),
        Arguments.of("/v2/tags/list/tags/list", "tags"),
        Arguments.of("/v2/a/referrers/" + D, "referrers"),
        Arguments.of("/metrics", "metrics"),
        Arguments.of("/healthz", "healthz"),
        Arguments.of("/readyz?verbose", "readyz"),
        Arguments.of("/", "other"),
        Arguments.of("", "other"),
        Arguments.of("*", "other"),
        Arguments.of("/v2x/", "other"),
        Arguments.of("/v2/a", "other"),
        Arguments.of("/v2/a/tags/nope", "other"),
        Arguments.of("/v2/a/b/c", "other"),
        Arguments.of("/metrics/x", "other"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("labels")
  void labels(String uri, String label) {
    assertThat(RouteLabel.of(uri)).isEqualTo(label);
  }

  @RepeatedTest(20)
  void neverThrowsAndStaysInItsFewValues(RepetitionInfo info) {
    long seed = System.nanoTime() ^ info.getCurrentRepetition();
    System.out.println("RouteLabelTest seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    String alphabet = "/v2abmnfistlgupoadrc_?#%:.";
    for (int i = 0; i < 1000; i++) {
      StringBuilder uri = new StringBuilder(random.nextBoolean() ? "/v2/" : "");
      int n = random.nextInt(40);
      for (int j = 0; j < n; j++) {
        uri.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertThat(RouteLabel.of(uri.toString()))
          .as(uri.toString())
          .isIn("base", "catalog", "manifest", "blob", "upload", "tags", "referrers", "metrics", "healthz", "readyz", "other");
    }
  }
}

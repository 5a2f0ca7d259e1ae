package io.wharf.proxy.route.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.wharf.oci.manifest.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class AcceptHeaderTest {
  private static final String OCI = MediaTypes.OCI_MANIFEST;
  private static final String OCI_INDEX = MediaTypes.OCI_INDEX;
  private static final String DOCKER = MediaTypes.DOCKER_MANIFEST;
  private static final String DOCKER_LIST = MediaTypes.DOCKER_MANIFEST_LIST;

  @Test
  void noHeaderAcceptsAnything() {
    AcceptHeader accept = AcceptHeader.parse(List.of());

    assertThat(accept.acceptsAnything()).isTrue();
    assertThat(accept.accepts(OCI_INDEX)).isTrue();
    assertThat(accept.accepts("text/plain")).isTrue();
  }

  @Test
  void onlyGarbageAcceptsAnything() {
    assertThat(AcceptHeader.parse(List.of("garbage, ;;, /x")).acceptsAnything()).isTrue();
  }

  @ParameterizedTest(name = "[{index}] {0} accepts {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "application/vnd.oci.image.manifest.v1+json | application/vnd.oci.image.manifest.v1+json | true",
        "application/vnd.oci.image.manifest.v1+json | application/vnd.oci.image.index.v1+json | false",
        "*/*                                        | application/vnd.oci.image.index.v1+json | true",
        "application/*                              | application/vnd.oci.image.index.v1+json | true",
        "text/*                                     | application/vnd.oci.image.index.v1+json | false",
        "APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON    | application/vnd.oci.image.index.v1+json | true",
        "'application/vnd.oci.image.index.v1+json; q=0' | application/vnd.oci.image.index.v1+json | false",
        "'*/*, application/vnd.oci.image.index.v1+json;q=0' | application/vnd.oci.image.index.v1+json | false",
        "'*/*;q=0.1, application/vnd.oci.image.index.v1+json;q=0' | application/vnd.oci.image.manifest.v1+json | true",
        "'application/*;q=0, */*'                   | application/vnd.oci.image.index.v1+json | false",
        "'application/vnd.oci.image.index.v1+json;q=0.001' | application/vnd.oci.image.index.v1+json | true",
        "'application/vnd.oci.image.index.v1+json;q=1.0' | application/vnd.oci.image.index.v1+json | true",
        "'application/vnd.oci.image.index.v1+json;q=2' | application/vnd.oci.image.index.v1+json | true", // invalid element skipped: nothing usable left
        "'application/vnd.oci.image.index.v1+json;q=2, text/plain' | application/vnd.oci.image.index.v1+json | false",
        "'text/plain; charset=\"a,b\", application/vnd.oci.image.index.v1+json' | application/vnd.oci.image.index.v1+json | true",
        "'application/vnd.oci.image.manifest.v1+json; charset=utf-8' | application/vnd.oci.image.manifest.v1+json | true",
      })
  void honoursRangesAndWeights(String header, String type, boolean accepted) {
    assertThat(AcceptHeader.parse(List.of(header)).accepts(type)).isEqualTo(accepted);
  }

  @Test
  void readsEveryAcceptHeaderOfTheRequest() {
    AcceptHeader accept = AcceptHeader.parse(List.of(OCI, DOCKER + ", " + DOCKER_LIST));

    assertThat(accept.accepts(OCI)).isTrue();
    assertThat(accept.accepts(DOCKER)).isTrue();
    assertThat(accept.accepts(DOCKER_LIST)).isTrue();
    assertThat(accept.accepts(OCI_INDEX)).isFalse();
    assertThat(accept.acceptsAnyOf(List.of(OCI_INDEX, DOCKER_LIST))).isTrue();
    assertThat(accept).hasToString(OCI + ", " + DOCKER + ", " + DOCKER_LIST);
  }

  @Test
  void containerdsAcceptListTakesEveryManifestType() {
    AcceptHeader accept = AcceptHeader.parse(List.of(
        DOCKER + ", " + DOCKER_LIST + ", " + OCI + ", " + OCI_INDEX + ", */*"));

    assertThat(MediaTypes.MANIFESTS).allMatch(accept::accepts);
  }

  @RepeatedTest(200)
  void neverThrowsOnRandomInput(RepetitionInfo repetition) {
    long seed = RandomText.seed(repetition);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 100; i++) {
      List<String> headers = new ArrayList<>();
      int count = r.nextInt(4);
      for (int h = 0; h < count; h++) {
        headers.add(RandomText.next(r, 120, "application/vnd.oci.image+json*;q=0.1, "));
      }
      try {
        AcceptHeader accept = AcceptHeader.parse(headers);
        accept.accepts(OCI);
        accept.accepts(RandomText.next(r, 30, "ab/*;"));
        assertThat(accept.toString()).isNotNull();
      } catch (RuntimeException e) {
        fail(RandomText.describe(seed) + " headers " + headers + " threw " + e, e);
      }
    }
  }
}

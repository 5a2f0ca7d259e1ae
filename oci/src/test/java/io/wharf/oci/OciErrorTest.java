package io.wharf.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

final class OciErrorTest {
  /** Every code with its status: the distribution spec's table, then distribution's errcode registry. */
  static Stream<Arguments> statuses() {
    return Stream.of(
        arguments(OciError.BLOB_UNKNOWN, 404),
        arguments(OciError.BLOB_UPLOAD_INVALID, 400),
        arguments(OciError.BLOB_UPLOAD_UNKNOWN, 404),
        arguments(OciError.DIGEST_INVALID, 400),
        arguments(OciError.MANIFEST_BLOB_UNKNOWN, 400),
        arguments(OciError.MANIFEST_INVALID, 400),
        arguments(OciError.MANIFEST_UNKNOWN, 404),
        arguments(OciError.NAME_INVALID, 400),
        arguments(OciError.NAME_UNKNOWN, 404),
        arguments(OciError.SIZE_INVALID, 400),
        arguments(OciError.UNAUTHORIZED, 401),
        arguments(OciError.DENIED, 403),
        arguments(OciError.UNSUPPORTED, 405),
        arguments(OciError.TOOMANYREQUESTS, 429),
        arguments(OciError.TAG_INVALID, 400),
        arguments(OciError.RANGE_INVALID, 416),
        arguments(OciError.PAGINATION_NUMBER_INVALID, 400),
        arguments(OciError.UNKNOWN, 500),
        arguments(OciError.UNAVAILABLE, 503));
  }

  @ParameterizedTest
  @MethodSource("statuses")
  void answersWithTheStatusDistributionUses(OciError error, int status) {
    assertThat(error.status()).isEqualTo(status);
    assertThat(new OciException(error, "m").status()).isEqualTo(status);
  }

  @Test
  void theStatusTableCoversEveryCode() {
    assertThat(statuses().map(a -> (OciError) a.get()[0]))
        .containsExactlyInAnyOrder(OciError.values());
  }

  @ParameterizedTest
  @EnumSource(OciError.class)
  void codeIsTheConstantNameAndMessageIsText(OciError error) {
    assertThat(error.code()).isEqualTo(error.name()).matches("[A-Z_]+");
    assertThat(error.message()).isNotBlank().doesNotEndWith(".");
  }

  @Test
  void specMessagesAreTheSpecsWords() {
    assertThat(OciError.BLOB_UNKNOWN.message()).isEqualTo("blob unknown to registry");
    assertThat(OciError.MANIFEST_UNKNOWN.message()).isEqualTo("manifest unknown to registry");
    assertThat(OciError.NAME_UNKNOWN.message()).isEqualTo("repository name not known to registry");
    assertThat(OciError.DENIED.message()).isEqualTo("requested access to the resource is denied");
    assertThat(OciError.TOOMANYREQUESTS.message()).isEqualTo("too many requests");
    assertThat(OciError.TAG_INVALID.message()).isEqualTo("manifest tag did not match URI");
  }

  @Test
  void exceptionCarriesErrorMessageAndDetail() {
    OciException e = new OciException(OciError.BLOB_UNKNOWN, "blob unknown", "sha256:abc");

    assertThat(e.error()).isEqualTo(OciError.BLOB_UNKNOWN);
    assertThat(e.getMessage()).isEqualTo("blob unknown");
    assertThat(e.detail()).isEqualTo("sha256:abc");
    assertThat(e.getCause()).isNull();
    assertThat(new OciException(OciError.BLOB_UNKNOWN, "m").detail()).isNull();
  }

  @Test
  void exceptionWithACauseKeepsItAndItsStack() {
    IOException cause = new IOException("disk");
    OciException e = new OciException(OciError.UNAVAILABLE, "storage unavailable", cause);

    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.getStackTrace()).isNotEmpty();
  }

  @Test
  void withStatusOverridesOnlyTheStatus() {
    OciException e = OciException.withStatus(OciError.MANIFEST_INVALID, 413, "too large");

    assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
    assertThat(e.status()).isEqualTo(413);
    assertThat(e.getMessage()).isEqualTo("too large");
    assertThat(Arrays.asList(OciError.values())).allMatch(err -> err.status() != 413);
  }
}

package io.wharf.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class ImageRefTest {
  private static final WharfConfig DEFAULTS = ConfigLoader.load(Optional.empty(), Map.of());
  private static final WharfConfig WITH_PORT = ConfigLoader.load(Optional.empty(), Map.of(
      "WHARF_UPSTREAMS_6_NAME", "test",
      "WHARF_UPSTREAMS_6_HOST", "upstream.test:5000",
      "WHARF_UPSTREAMS_6_URL", "http://127.0.0.1:5000",
      "WHARF_UPSTREAMS_6_TAG_TTL", "5m"));

  @Test
  void aOneWordNameIsDockerHubsLibraryAtLatest() {
    ImageRef ref = ImageRef.resolve("nginx", DEFAULTS);

    assertThat(ref.toString()).isEqualTo("docker.io/library/nginx:latest");
    assertThat(ref.repository().value()).isEqualTo("docker.io/library/nginx");
    assertThat(ref.manifest().toString()).isEqualTo("latest");
    assertThat(ref.upstream().name()).isEqualTo("dockerhub");
  }

  @Test
  void aHostWithAPortIsStoredUnderItsHostKey() {
    ImageRef ref = ImageRef.resolve("upstream.test:5000/library/alpine:3.20", WITH_PORT);

    assertThat(ref.repository().value()).isEqualTo("upstream.test_5000/library/alpine");
    assertThat(ref.toString()).isEqualTo("upstream.test:5000/library/alpine:3.20");
  }

  @Test
  void aDigestWinsOverATag() {
    String digest = "sha256:" + "a".repeat(64);
    ImageRef ref = ImageRef.resolve("ghcr.io/org/app:1@" + digest, DEFAULTS);

    assertThat(ref.manifest().isDigest()).isTrue();
    assertThat(ref.manifest().toString()).isEqualTo(digest);
    assertThat(ref.repository().value()).isEqualTo("ghcr.io/org/app");
  }

  @Test
  void anUnconfiguredHostOrAMalformedNameIsRefused() {
    assertThatThrownBy(() -> ImageRef.resolve("registry.example.com/app:1", DEFAULTS))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_UNKNOWN))
        .hasMessageContaining("'registry.example.com'");
    assertThatThrownBy(() -> ImageRef.resolve("Nginx:1", DEFAULTS)).isInstanceOf(OciException.class);
    assertThatThrownBy(() -> ImageRef.resolve("nginx:bad tag", DEFAULTS)).isInstanceOf(OciException.class);
  }
}

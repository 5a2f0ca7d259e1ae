package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RedactedUriTest {
  @Test
  void masksTheValuesOfSecretLookingParameters() {
    assertThat(RedactedUri.of("/service/token?account=admin&password=hunter2&scope=repository:a/b:pull&service=wharf"))
        .isEqualTo("/service/token?account=admin&password=REDACTED&scope=repository:a/b:pull&service=wharf");
    assertThat(RedactedUri.of("/x?access_token=t1&refresh_token=t2&client_secret=s&api_key=k&X-Amz-Signature=sig&pwd=p"))
        .isEqualTo("/x?access_token=REDACTED&refresh_token=REDACTED&client_secret=REDACTED&api_key=REDACTED"
            + "&X-Amz-Signature=REDACTED&pwd=REDACTED");
    assertThat(RedactedUri.of("/x?Pass%77ord=p")).isEqualTo("/x?Pass%77ord=REDACTED");
  }

  @Test
  void keepsTheApiParametersReadable() {
    String uri = "/v2/dockerhub/library/alpine/blobs/uploads/?mount=sha256:abc&from=a/b&digest=sha256:def&n=10&last=x&ns=docker.io";
    assertThat(RedactedUri.of(uri)).isEqualTo(uri);
    assertThat(RedactedUri.of("/v2/")).isEqualTo("/v2/");
    assertThat(RedactedUri.of("/x?flag&=v&a=")).isEqualTo("/x?flag&=v&a=");
  }

  @Test
  void dropsUserInfoFromAnAbsoluteFormUri() {
    assertThat(RedactedUri.of("http://admin:hunter2@wharf:5050/v2/?x=1")).isEqualTo("http://wharf:5050/v2/?x=1");
    assertThat(RedactedUri.of("/v2/a@b/manifests/c")).isEqualTo("/v2/a@b/manifests/c");
    assertThat(RedactedUri.of("http://wharf/v2/a@b")).isEqualTo("http://wharf/v2/a@b");
  }
}

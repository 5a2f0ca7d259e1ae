package io.wharf.proxy.route.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class LinkHeaderTest {
  @Test
  void pointsAtThePageAfterTheLastItem() {
    assertThat(LinkHeader.next("/v2/spectro-images/app/tags/list", "v1.2", 50))
        .isEqualTo("</v2/spectro-images/app/tags/list?last=v1.2&n=50>; rel=\"next\"");
  }

  @Test
  void encodesTheLastItem() {
    assertThat(LinkHeader.next("/v2/_catalog", "spectro-images/team/app", 2))
        .isEqualTo("</v2/_catalog?last=spectro-images%2Fteam%2Fapp&n=2>; rel=\"next\"");
  }

  @Test
  void readsTheNextTargetBack() {
    String header = LinkHeader.next("/v2/_catalog", "a/b", 2);

    assertThat(LinkHeader.parseNext(header)).contains("/v2/_catalog?last=a%2Fb&n=2");
    assertThat(LinkHeader.parseNext("<https://x/prev>; rel=\"prev\", <https://x/next>; rel=next"))
        .contains("https://x/next");
    assertThat(LinkHeader.parseNext("<https://x/prev>; rel=\"prev\"")).isEmpty();
    assertThat(LinkHeader.parseNext("garbage <")).isEmpty();
    assertThat(LinkHeader.parseNext(null)).isEmpty();
  }
}

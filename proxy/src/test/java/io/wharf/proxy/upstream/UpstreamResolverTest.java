package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.UpstreamConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DESIGN.md's table "Which upstream a request means", one line per case, first match wins. */
final class UpstreamResolverTest {
  private static final UpstreamConfig HUB = upstream("dockerhub", "docker.io");
  private static final UpstreamConfig GHCR = upstream("ghcr", "ghcr.io");
  private static final UpstreamConfig GCR = upstream("gcr", "gcr.io");
  private static final UpstreamConfig HARNESS = upstream("harness", "upstream.test:5000");

  private static final UpstreamResolver RESOLVER =
      new UpstreamResolver(
          Set.of("spectro-images", "team.b"), List.of(HUB, GHCR, GCR, HARNESS), HUB);
  private static final UpstreamResolver NO_DEFAULT =
      new UpstreamResolver(Set.of("spectro-images"), List.of(HUB, HARNESS), null);

  /**
   * Each case: the name as sent, {@code ?ns=} (empty cell: none; {@code ''}: present and empty), and
   * either the canonical name and the row or the error code of a read.
   */
  @ParameterizedTest(name = "{0} ns={1} -> {2} (row {3})")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # 1: ns configured, the path as sent (Docker Hub one-word names gain library/)
          library/nginx                     | docker.io          | docker.io/library/nginx                  | 1
          nginx                             | docker.io          | docker.io/library/nginx                  | 1
          dockerhub/app                     | docker.io          | docker.io/dockerhub/app                  | 1
          spectro-images/app                | ghcr.io            | ghcr.io/spectro-images/app               | 1
          docker.io/x                       | ghcr.io            | ghcr.io/docker.io/x                      | 1
          alpine                            | upstream.test:5000 | upstream.test_5000/alpine                | 1
          library/alpine                    | Upstream.Test:5000 | upstream.test_5000/library/alpine        | 1
          # 2: ns not configured: unknown, never dialled
          library/nginx                     | unknown.example    | NAME_UNKNOWN                             | 2
          library/alpine                    | upstream.test      | NAME_UNKNOWN                             | 2
          library/alpine                    | upstream.test_5000 | NAME_UNKNOWN                             | 2
          spectro-images/app                | ''                 | NAME_UNKNOWN                             | 2
          # 3: an upstream's proxy project
          dockerhub/library/nginx           | -                  | docker.io/library/nginx                  | 3
          dockerhub/nginx                   | -                  | docker.io/library/nginx                  | 3
          ghcr/org/app                      | -                  | ghcr.io/org/app                          | 3
          harness/library/alpine            | -                  | upstream.test_5000/library/alpine        | 3
          harness/alpine                    | -                  | upstream.test_5000/alpine                | 3
          # 4: an upstream's host key
          docker.io/library/nginx           | -                  | docker.io/library/nginx                  | 4
          docker.io/nginx                   | -                  | docker.io/library/nginx                  | 4
          gcr.io/org/app                    | -                  | gcr.io/org/app                           | 4
          upstream.test_5000/library/alpine | -                  | upstream.test_5000/library/alpine        | 4
          # 5: a local project, then an upstream's host key (image-rewrite webhooks)
          spectro-images/gcr.io/org/app     | -                  | gcr.io/org/app                           | 5
          spectro-images/docker.io/nginx    | -                  | docker.io/library/nginx                  | 5
          spectro-images/upstream.test_5000/library/alpine | -   | upstream.test_5000/library/alpine        | 5
          team.b/ghcr.io/org/app            | -                  | ghcr.io/org/app                          | 5
          # 6: a local project, anything else
          spectro-images/team/app           | -                  | spectro-images/team/app                  | 6
          spectro-images/gcr.io             | -                  | spectro-images/gcr.io                    | 6
          spectro-images/dockerhub/x        | -                  | spectro-images/dockerhub/x               | 6
          spectro-images                    | -                  | spectro-images                           | 6
          team.b/app                        | -                  | team.b/app                               | 6
          # 7: looks like a host, not configured: unknown, never dialled
          quay.io/org/app                   | -                  | NAME_UNKNOWN                             | 7
          upstream.test/library/alpine      | -                  | NAME_UNKNOWN                             | 7
          localhost/app                     | -                  | NAME_UNKNOWN                             | 7
          localhost_5000/app                | -                  | NAME_UNKNOWN                             | 7
          # 8: anything else goes to the default upstream, as docker pull normalises it
          library/nginx                     | -                  | docker.io/library/nginx                  | 8
          nginx                             | -                  | docker.io/library/nginx                  | 8
          bitnami/redis                     | -                  | docker.io/bitnami/redis                  | 8
          my.app                            | -                  | docker.io/library/my.app                 | 8
          dockerhub                         | -                  | docker.io/library/dockerhub              | 8
          docker.io                         | -                  | docker.io/library/docker.io              | 8
          localhost                         | -                  | docker.io/library/localhost              | 8
          """)
  void resolvesEveryRowOfTheTable(String sent, @Nullable String ns, String expected, int row) {
    RepositoryName name = RepositoryName.parse(sent);
    if (expected.equals("NAME_UNKNOWN")) {
      assertThatThrownBy(() -> RESOLVER.resolve(name, ns, false))
          .isInstanceOfSatisfying(
              OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_UNKNOWN));
      return;
    }
    Resolution resolution = RESOLVER.resolve(name, ns, false);

    assertThat(resolution.canonical().value()).isEqualTo(expected);
    assertThat(resolution.row()).isEqualTo(row);
    if (row == 6) {
      assertThat(resolution.upstream()).isNull();
      assertThat(resolution.remoteName()).isNull();
      assertThat(resolution.isProxied()).isFalse();
    } else {
      assertThat(resolution.upstream()).isNotNull();
      assertThat(resolution.upstream().hostKey()).isEqualTo(resolution.canonical().project());
      assertThat(resolution.remoteName().value())
          .isEqualTo(expected.substring(expected.indexOf('/') + 1));
      assertThat(RESOLVER.upstreamForCanonical(resolution.canonical()))
          .contains(resolution.upstream());
    }
  }

  @ParameterizedTest(name = "push {0} ns={1}: {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          library/nginx                  | docker.io       | DENIED
          spectro-images/app             | docker.io       | DENIED
          spectro-images/app             | unknown.example | DENIED
          dockerhub/library/nginx        | -               | DENIED
          docker.io/library/nginx        | -               | DENIED
          spectro-images/gcr.io/org/app  | -               | gcr.io/org/app
          spectro-images/team/app        | -               | spectro-images/team/app
          quay.io/org/app                | -               | DENIED
          library/nginx                  | -               | DENIED
          """)
  void writesAreAllowedOnlyThroughLocalProjects(String sent, @Nullable String ns, String expected) {
    RepositoryName name = RepositoryName.parse(sent);
    if (expected.equals("DENIED")) {
      assertThatThrownBy(() -> RESOLVER.resolve(name, ns, true))
          .isInstanceOfSatisfying(
              OciException.class,
              e -> {
                assertThat(e.error()).isEqualTo(OciError.DENIED);
                assertThat(e.getMessage()).contains("pushes go to local projects");
              });
    } else {
      assertThat(RESOLVER.resolve(name, ns, true).canonical().value()).isEqualTo(expected);
    }
  }

  @Test
  void withoutADefaultUpstreamUnprefixedNamesAreUnknownAndPushesDenied() {
    assertThatThrownBy(() -> NO_DEFAULT.resolve(RepositoryName.parse("library/nginx"), null, false))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_UNKNOWN));
    assertThatThrownBy(() -> NO_DEFAULT.resolve(RepositoryName.parse("library/nginx"), null, true))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.DENIED));
    assertThat(NO_DEFAULT.resolve(RepositoryName.parse("harness/alpine"), null, false).row())
        .isEqualTo(3);
  }

  @Test
  void anOrganisationNamedLikeAProxyProjectStaysItselfUnderNs() {
    RepositoryName sent = RepositoryName.parse("dockerhub/tools");

    assertThat(RESOLVER.resolve(sent, "docker.io", false).canonical().value())
        .isEqualTo("docker.io/dockerhub/tools");
    // without ns it is the proxy project: Docker Hub's official image "tools"
    assertThat(RESOLVER.resolve(sent, null, false).canonical().value())
        .isEqualTo("docker.io/library/tools");
  }

  @Test
  void aNameTooLongWithItsHostIsInvalid() {
    String longest = "a".repeat(RepositoryName.MAX_LENGTH - "library/".length());
    RepositoryName sent = RepositoryName.parse("library/" + longest);

    assertThatThrownBy(() -> RESOLVER.resolve(sent, null, false))
        .isInstanceOfSatisfying(
            OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
    assertThat(
            RESOLVER
                .resolve(RepositoryName.parse("spectro-images/" + "b".repeat(240)), null, false)
                .row())
        .isEqualTo(6);
  }

  @Test
  void canonicalNamesBelongToTheUpstreamOfTheirFirstComponent() {
    assertThat(RESOLVER.upstreamForCanonical(RepositoryName.parse("docker.io/library/nginx")))
        .contains(HUB);
    assertThat(RESOLVER.upstreamForCanonical(RepositoryName.parse("upstream.test_5000/alpine")))
        .contains(HARNESS);
    assertThat(RESOLVER.upstreamForCanonical(RepositoryName.parse("spectro-images/team/app")))
        .isEmpty();
    assertThat(RESOLVER.upstreamForCanonical(RepositoryName.parse("quay.io/org/app"))).isEmpty();
    assertThat(UpstreamResolver.remoteName(RepositoryName.parse("docker.io/library/nginx")))
        .isEqualTo(RepositoryName.parse("library/nginx"));
  }

  private static UpstreamConfig upstream(String name, String host) {
    return new UpstreamConfig(
        name,
        host,
        URI.create("http://127.0.0.1:9/" + name),
        Duration.ofMinutes(5),
        null,
        null,
        null);
  }
}

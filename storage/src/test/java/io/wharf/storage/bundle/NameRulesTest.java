package io.wharf.storage.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class NameRulesTest {
  private static final String C = NameRules.CONTAINERD_NAME;
  private static final String R = NameRules.OCI_REF_NAME;

  static Stream<Arguments> table() {
    return Stream.of(
        // containerd's annotation wins over everything
        Arguments.of(Map.of(C, "docker.io/library/nginx:1.27", R, "ghcr.io/x/y:1"), List.of("a:1"), "b:2",
            List.of("docker.io/library/nginx:1.27"), "repository docker.io/library/nginx"),
        // a short containerd name is Docker-normalised
        Arguments.of(Map.of(C, "nginx"), List.of(), null, List.of("docker.io/library/nginx:latest"), "docker.io/library/nginx"),
        // a fully qualified ref.name comes next
        Arguments.of(Map.of(R, "ghcr.io/org/app:v1"), List.of("a:1"), null, List.of("ghcr.io/org/app:v1"), "ghcr.io/org/app"),
        // a ref.name that is only a tag (what most tools write) names nothing: RepoTags then
        Arguments.of(Map.of(R, "1.27"), List.of("nginx:1.27", "nginx:latest"), "x:1",
            List.of("docker.io/library/nginx:1.27", "docker.io/library/nginx:latest"), "docker.io/library/nginx"),
        // a ref.name without a host is not fully qualified either
        Arguments.of(Map.of(R, "library/nginx:1"), List.of(), "busybox", List.of("docker.io/library/busybox:latest"),
            "docker.io/library/busybox"),
        // a port is written _ in the stored name
        Arguments.of(Map.of(R, "127.0.0.1:5000/x/y:t"), List.of(), null, List.of("127.0.0.1:5000/x/y:t"), "127.0.0.1_5000/x/y"),
        Arguments.of(Map.of(), List.of("localhost:5000/app:1"), null, List.of("localhost:5000/app:1"), "localhost_5000/app"),
        // a host's case does not matter, and index.docker.io is docker.io
        Arguments.of(Map.of(C, "Registry.Example.COM/a/b:1"), List.of(), null, List.of("Registry.Example.COM/a/b:1"),
            "registry.example.com/a/b"),
        Arguments.of(Map.of(), List.of("index.docker.io/library/alpine:3"), null, List.of("docker.io/library/alpine:3"),
            "docker.io/library/alpine"),
        // --name last
        Arguments.of(Map.of(), List.of(), "quay.io/org/x:2", List.of("quay.io/org/x:2"), "quay.io/org/x"));
  }

  @ParameterizedTest
  @MethodSource("table")
  void theFirstRuleThatAppliesWins(Map<String, String> annotations, List<String> repoTags, @Nullable String option,
      List<String> expected, String repository) {
    NameRules.Names names = NameRules.resolve(annotations, repoTags, option);
    assertThat(names).isNotNull();
    assertThat(names.references()).extracting(Reference::toString).containsExactlyElementsOf(expected);
    assertThat(CanonicalName.repository(names.references().get(0)).value()).isEqualTo(repository.replace("repository ", ""));
  }

  @Test
  void noRuleNoName() {
    assertThat(NameRules.resolve(Map.of(R, "1.27"), List.of(), null)).isNull();
    assertThat(NameRules.resolve(Map.of(), List.of(), " ")).isNull();
  }

  @Test
  void aMalformedNameIsAnErrorNotAFallThrough() {
    assertThatThrownBy(() -> NameRules.resolve(Map.of(C, "UPPER/Case!"), List.of("nginx:1"), null))
        .isInstanceOf(OciException.class).hasMessageContaining(C);
    assertThatThrownBy(() -> NameRules.resolve(Map.of(), List.of("nginx:bad tag"), null))
        .isInstanceOf(OciException.class).hasMessageContaining("RepoTags");
  }

  @Test
  void anIpv6HostCannotBeARepositoryName() {
    Reference r = NameRules.normalize("[::1]:5000/x/y:1", "test");
    assertThatThrownBy(() -> CanonicalName.repository(r)).isInstanceOf(OciException.class).hasMessageContaining("cannot store");
  }
}

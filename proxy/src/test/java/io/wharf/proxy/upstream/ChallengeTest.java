package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class ChallengeTest {
  static Stream<Arguments> headers() {
    return Stream.of(
        Arguments.of("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\"",
            List.of(new Challenge("bearer", Map.of(
                "realm", "https://auth.docker.io/token", "service", "registry.docker.io", "scope", "repository:library/nginx:pull")))),
        Arguments.of("Basic realm=\"Registry Realm\"", List.of(new Challenge("basic", Map.of("realm", "Registry Realm")))),
        Arguments.of("Bearer realm=\"a\", Basic realm=\"b\"",
            List.of(new Challenge("bearer", Map.of("realm", "a")), new Challenge("basic", Map.of("realm", "b")))),
        Arguments.of("bearer REALM=token-only , Service = \"s\"", List.of(new Challenge("bearer", Map.of("realm", "token-only", "service", "s")))),
        Arguments.of("Bearer realm=\"a\\\"b\\\\c\"", List.of(new Challenge("bearer", Map.of("realm", "a\"b\\c")))),
        Arguments.of("Bearer realm=\"x\",error=\"insufficient_scope\",scope=\"repository:a/b:pull,push\"",
            List.of(new Challenge("bearer", Map.of("realm", "x", "error", "insufficient_scope", "scope", "repository:a/b:pull,push")))),
        Arguments.of("Basic dXNlcjpwYXNz==, Bearer realm=\"r\"",
            List.of(new Challenge("basic", Map.of()), new Challenge("bearer", Map.of("realm", "r")))),
        Arguments.of("Bearer", List.of(new Challenge("bearer", Map.of()))),
        Arguments.of("Bearer realm=\"unterminated", List.of(new Challenge("bearer", Map.of("realm", "unterminated")))),
        Arguments.of("", List.of()),
        Arguments.of(" ,, ", List.of()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("headers")
  void parsesChallenges(String header, List<Challenge> expected) {
    assertThat(Challenge.parse(List.of(header))).isEqualTo(expected);
  }

  @Test
  void readsEveryHeaderValue() {
    List<Challenge> c = Challenge.parse(List.of("Basic realm=\"b\"", "Bearer realm=\"r\""));

    assertThat(Challenge.find(c, "bearer")).isEqualTo(new Challenge("bearer", Map.of("realm", "r")));
    assertThat(Challenge.find(c, "basic")).isEqualTo(new Challenge("basic", Map.of("realm", "b")));
    assertThat(Challenge.find(c, "digest")).isNull();
  }

  @RepeatedTest(20)
  void neverThrowsOnRandomInput(RepetitionInfo info) {
    long seed = System.nanoTime() + info.getCurrentRepetition();
    SplittableRandom r = new SplittableRandom(seed);
    String alphabet = "Bearer Basic realm=\"\\,; \t=abc:/";
    for (int i = 0; i < 500; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = r.nextInt(60); n > 0; n--) {
        b.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      String header = b.toString();
      assertThat(Challenge.parse(List.of(header))).as("seed %d: %s", seed, header).isNotNull();
    }
  }
}

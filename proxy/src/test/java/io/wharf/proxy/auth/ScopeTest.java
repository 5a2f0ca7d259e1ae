package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Token scopes as clients send them, and everything else refused with 400. */
final class ScopeTest {
  /** Fixed so CI is reproducible; {@code -Dwharf.seed=N} explores others, and failures name theirs. */
  private static final long BASE = Long.getLong("wharf.seed", 0x5C0_9E5L);

  @Test
  void parsesRepositoryScopesAsDockerAndContainerdSendThem() {
    Scope.Requested r = Scope.parseAll(List.of("repository:spectro-images/app:pull,push", "repository:library/nginx:pull"));

    assertThat(r.catalog()).isFalse();
    assertThat(r.repositories()).containsExactly(
        new Scope(RepositoryName.parse("spectro-images/app"), EnumSet.of(Action.PULL, Action.PUSH)),
        new Scope(RepositoryName.parse("library/nginx"), EnumSet.of(Action.PULL)));
  }

  @Test
  void spaceSeparatedScopesRepeatsAndTheCatalog() {
    Scope.Requested r = Scope.parseAll(List.of(
        "repository:a/b:pull repository:c:delete  registry:catalog:*", "repository:a/b:push", "", "repository:c:*"));

    assertThat(r.catalog()).isTrue();
    assertThat(r.repositories()).containsExactly(
        new Scope(RepositoryName.parse("a/b"), EnumSet.of(Action.PULL, Action.PUSH)),
        new Scope(RepositoryName.parse("c"), EnumSet.allOf(Action.class)));
    assertThat(Scope.parseAll(List.of())).isEqualTo(Scope.Requested.none());
  }

  @Test
  void writesScopesInTheOrderPullPushDelete() {
    assertThat(Scope.text("a/b", Set.of(Action.DELETE, Action.PUSH, Action.PULL))).isEqualTo("repository:a/b:pull,push,delete");
    assertThat(new Scope(RepositoryName.parse("x"), Set.of(Action.PUSH, Action.PULL)).text()).isEqualTo("repository:x:pull,push");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "repository", "repository:a", "repository:a:", "repository::pull", "repository:a:pull:extra",
      "repository:localhost:5000/a:pull", "repository:A/b:pull", "repository:a//b:pull", "repository:a:fly",
      "repository:a:pull,,push", "repository:a:PULL", "repository(plugin):a:pull", "registry:catalog:pull",
      "registry:other:*", "user:admin:*", ":::", "repository:a:pull\u0000",
  })
  void refusesAMalformedScopeWith400(String scope) {
    assertBadRequest(List.of(scope));
  }

  @Test
  void refusesTooManyScopes() {
    String many = "repository:a:pull ".repeat(Scope.MAX_SCOPES + 1);

    assertBadRequest(List.of(many));
    assertThat(Scope.parseAll(List.of("repository:a:pull ".repeat(Scope.MAX_SCOPES))).repositories()).hasSize(1);
  }

  /** Near misses of valid scopes: each either parses to what its text says or is a 400, never anything else. */
  @RepeatedTest(300)
  void randomInputIsParsedOrRefusedWith400(RepetitionInfo repetition) {
    long seed = BASE * 1_000_003L + repetition.getCurrentRepetition();
    SplittableRandom random = new SplittableRandom(seed);
    String[] fragments = {"repository", "registry", "catalog", ":", ":", ",", " ", "pull", "push", "delete", "*",
        "a", "b/c", "spectro-images/app", "/", "-", "_", ".", "..", "A", "é", "\u0000", "%2F", "(x)", "0"};
    StringBuilder text = new StringBuilder();
    int parts = random.nextInt(12);
    for (int i = 0; i < parts; i++) {
      text.append(random.nextInt(8) == 0 ? Character.toString((char) random.nextInt(0x3000)) : fragments[random.nextInt(fragments.length)]);
    }
    String input = text.toString();
    try {
      Scope.Requested r = Scope.parseAll(List.of(input));
      for (Scope s : r.repositories()) {
        assertThat(input).as("seed %d: %s", seed, input).contains(s.name().value());
        assertThat(Scope.parse(s.text())).isEqualTo(s);
      }
    } catch (OciException e) {
      assertThat(e.status()).as("seed %d (rerun with -Dwharf.seed=%d): %s", seed, BASE, input).isEqualTo(400);
    } catch (RuntimeException e) {
      fail("seed " + seed + " (rerun with -Dwharf.seed=" + BASE + "): '" + input + "' threw " + e, e);
    }
  }

  private static void assertBadRequest(List<String> params) {
    assertThatThrownBy(() -> Scope.parseAll(params))
        .as(String.valueOf(params))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.error()).isIn(OciError.UNSUPPORTED, OciError.NAME_INVALID);
        });
  }
}

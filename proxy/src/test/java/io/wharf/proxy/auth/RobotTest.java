package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RobotTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void logsInAsRobotDollarNameWithItsGrants() {
    Robot ci = new Robot("ci", Map.of("team", Set.of(Action.PULL, Action.PUSH), "dockerhub", Set.of(Action.PULL)), null, T0);

    assertThat(ci.loginName()).isEqualTo("robot$ci");
    Principal who = ci.principal();
    assertThat(who.name()).isEqualTo("robot$ci");
    assertThat(who.kind()).isEqualTo(Principal.Kind.ROBOT);
    assertThat(who.may(Action.PUSH, "team")).isTrue();
    assertThat(who.may(Action.PULL, "dockerhub")).isTrue();
    assertThat(who.may(Action.PUSH, "dockerhub")).isFalse();
    assertThat(who.may(Action.DELETE, "team")).isFalse();
    assertThat(who.may(Action.PULL, "other")).isFalse();
  }

  @Test
  void expiresAtItsInstantAndNeverWithout() {
    Robot later = new Robot("ci", Map.of("team", Set.of(Action.PULL)), T0.plusSeconds(60), T0);
    assertThat(later.expired(T0)).isFalse();
    assertThat(later.expired(T0.plusSeconds(59))).isFalse();
    assertThat(later.expired(T0.plusSeconds(60))).isTrue();
    assertThat(new Robot("ci", Map.of("team", Set.of(Action.PULL)), null, T0).expired(Instant.MAX)).isFalse();
  }

  @Test
  void grantsAreCopiedAndImmutable() {
    Set<Action> actions = new HashSet<>(Set.of(Action.PULL));
    Map<String, Set<Action>> grants = new HashMap<>(Map.of("team", actions));
    Robot robot = new Robot("ci", grants, null, T0);
    actions.add(Action.PUSH);
    grants.put("other", Set.of(Action.PULL));

    assertThat(robot.grants()).isEqualTo(Map.of("team", Set.of(Action.PULL)));
    assertThatThrownBy(() -> robot.grants().put("x", Set.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> robot.grants().get("team").add(Action.DELETE)).isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "CI", "ci$", "robot$ci", "-ci", "ci-", "c..i", "ci/x", "c i", "ci\n"})
  void rejectsBadNames(String name) {
    assertThatThrownBy(() -> new Robot(name, Map.of("team", Set.of(Action.PULL)), null, T0))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
  }

  @Test
  void rejectsLongNamesAndAcceptsSeparators() {
    assertThatThrownBy(() -> Robot.checkName("a".repeat(65))).isInstanceOf(OciException.class);
    Robot.checkName("a".repeat(64));
    Robot.checkName("ci-build.v2_x");
  }

  @Test
  void rejectsEmptyGrantsAndBadProjects() {
    assertThatThrownBy(() -> new Robot("ci", Map.of(), null, T0))
        .isInstanceOf(OciException.class).hasMessageContaining("at least one grant");
    assertThatThrownBy(() -> new Robot("ci", Map.of("team", Set.of()), null, T0))
        .isInstanceOf(OciException.class).hasMessageContaining("no actions");
    assertThatThrownBy(() -> new Robot("ci", Map.of("Team/x", Set.of(Action.PULL)), null, T0))
        .isInstanceOf(OciException.class).hasMessageContaining("not a project name");
  }
}

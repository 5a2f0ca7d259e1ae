package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who may do what in which project. */
final class AccessPolicyTest {
  /** Anonymous pulls allowed everywhere but in {@code private} and the proxy project {@code vendor}. */
  private final AccessPolicy policy = new AccessPolicy(project -> !project.equals("private") && !project.equals("vendor"));
  private final Principal reader = new Principal("robot$reader", Principal.Kind.ROBOT, Map.of("private", Set.of(Action.PULL)));
  private final Principal ci = new Principal("robot$ci", Principal.Kind.ROBOT,
      Map.of("spectro-images", Set.of(Action.PULL, Action.PUSH), "vendor", Set.of(Action.DELETE)));

  @Test
  void theAdminMayEverythingEverywhere() {
    for (String project : new String[] {"spectro-images", "private", "dockerhub", "vendor"}) {
      assertThat(policy.permitted(Principal.admin(), EnumSet.allOf(Action.class), project)).isEqualTo(EnumSet.allOf(Action.class));
    }
  }

  @Test
  void anonymousMayPullWhereTheProjectAllowsAndNothingElse() {
    assertThat(policy.permitted(Principal.anonymous(), EnumSet.allOf(Action.class), "spectro-images")).containsExactly(Action.PULL);
    assertThat(policy.permitted(Principal.anonymous(), EnumSet.allOf(Action.class), "dockerhub")).containsExactly(Action.PULL);
    assertThat(policy.permitted(Principal.anonymous(), EnumSet.allOf(Action.class), "private")).isEmpty();
    assertThat(policy.permitted(Principal.anonymous(), EnumSet.allOf(Action.class), "vendor")).isEmpty();
  }

  @Test
  void robotsMayWhatTheirGrantsSayPlusWhatAnyoneMay() {
    assertThat(policy.permitted(reader, EnumSet.allOf(Action.class), "private")).containsExactly(Action.PULL);
    assertThat(policy.permitted(reader, EnumSet.allOf(Action.class), "spectro-images")).containsExactly(Action.PULL);
    assertThat(policy.permitted(reader, EnumSet.allOf(Action.class), "vendor")).isEmpty();
    assertThat(policy.permitted(ci, EnumSet.allOf(Action.class), "spectro-images")).containsExactly(Action.PULL, Action.PUSH);
    assertThat(policy.permitted(ci, EnumSet.allOf(Action.class), "vendor")).containsExactly(Action.DELETE);
    assertThat(policy.permits(ci, Action.PUSH, "private")).isFalse();
  }

  @Test
  void aChallengeForAPushAsksForPullToo() {
    assertThat(AccessPolicy.challengeActions(Action.PUSH)).containsExactly(Action.PULL, Action.PUSH);
    assertThat(AccessPolicy.challengeActions(Action.PULL)).containsExactly(Action.PULL);
    assertThat(AccessPolicy.challengeActions(Action.DELETE)).containsExactly(Action.DELETE);
  }
}

package io.wharf.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

final class RunContextTest {
  private static Target target(String name, boolean proxy) {
    return new Target(name, URI.create("http://127.0.0.1:1/"), null, proxy);
  }

  @Test
  void oddRoundsKeepColumnOrderAndEvenRoundsReverseIt() {
    List<Target> targets = List.of(target("a", false), target("b", true), target("c", true));

    assertThat(RunContext.inRoundOrder(targets, 1)).extracting(Target::name).containsExactly("a", "b", "c");
    assertThat(RunContext.inRoundOrder(targets, 2)).extracting(Target::name).containsExactly("c", "b", "a");
    assertThat(RunContext.inRoundOrder(targets, 3)).extracting(Target::name).containsExactly("a", "b", "c");
    assertThat(targets).extracting(Target::name).containsExactly("a", "b", "c");
  }
}

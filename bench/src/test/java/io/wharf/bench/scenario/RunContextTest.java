package io.wharf.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.bench.Profile;
import io.wharf.bench.http.BenchHttpClient;
import io.wharf.bench.registry.RegistryClient;
import io.wharf.bench.report.Results;
import io.wharf.bench.seed.SeedFile;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class RunContextTest {
  private static Target target(String name, boolean proxy) {
    return target(name, proxy ? Target.Role.PROXY : Target.Role.ORIGIN);
  }

  private static Target target(String name, Target.Role role) {
    return new Target(name, URI.create("http://127.0.0.1:1/"), null, role);
  }

  private static RunContext context(BenchHttpClient http, List<Target> targets) {
    URI upstream = URI.create("http://127.0.0.1:1/");
    return new RunContext(http, new SeedFile("smoke", upstream.toString(), List.of()), Profile.SMOKE, targets, upstream,
        new RegistryClient(http, upstream), null, null, new Results());
  }

  @Test
  void relaysRunInColdPullOnlyAndProxiesInEveryScenario() {
    List<Target> targets = List.of(target("nginx", Target.Role.ORIGIN), target("relay", Target.Role.RELAY),
        target("dist", Target.Role.PROXY), target("wharf", Target.Role.PROXY));
    try (var http = new BenchHttpClient(1, Duration.ofSeconds(1))) {
      RunContext ctx = context(http, targets);

      assertThat(ctx.targetsFor(1)).extracting(Target::name).containsExactly("nginx", "dist", "wharf");
      assertThat(ctx.targetsFor(2)).extracting(Target::name).containsExactly("wharf", "dist", "nginx");
      assertThat(ctx.servers()).extracting(Target::name).containsExactly("nginx", "dist", "wharf");
      assertThat(ctx.proxiesFor(1)).extracting(Target::name).containsExactly("dist", "wharf");
      assertThat(ctx.pullersFor(1)).extracting(Target::name).containsExactly("relay", "dist", "wharf");
      assertThat(ctx.pullersFor(2)).extracting(Target::name).containsExactly("wharf", "dist", "relay");
    }
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

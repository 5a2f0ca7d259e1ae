package io.wharf.bench.scenario;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the chosen scenarios in their fixed order: the proxies are warmed first if a warm scenario
 * is chosen, and with {@code rss} every scenario is wrapped in a peak-RSS reset and reading.
 */
public final class ScenarioRunner {

  private ScenarioRunner() {}

  /** Every scenario, in run order. */
  public static List<Scenario> all() {
    return List.of(new WarmBlobScenario(), new ManifestScenario(), new ImagePullScenario(), new ColdPullScenario(),
        new HerdScenario());
  }

  /** The names {@code --scenarios} accepts, in run order. */
  public static List<String> names() {
    var names = new ArrayList<String>();
    all().forEach(s -> names.add(s.name()));
    names.add(RssTracker.NAME);
    return names;
  }

  public static void run(RunContext ctx, List<Scenario> chosen, boolean rss) {
    chosen.forEach(s -> ctx.results().declare(s.table(ctx)));
    if (rss) {
      ctx.results().declare(RssTracker.table());
    }
    if (chosen.stream().anyMatch(Scenario::needsWarmProxies)) {
      try {
        Warmer.warm(ctx);
      } catch (Exception e) {
        ctx.results().errors().add(Warmer.SCENARIO, "-", "warm-up aborted: " + e);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    var tracker = new RssTracker(ctx);
    for (Scenario s : chosen) {
      Progress.say("== " + s.name());
      if (rss) {
        tracker.before();
      }
      long t0 = System.nanoTime();
      try {
        s.run(ctx);
      } catch (Exception e) {
        ctx.results().errors().add(s.name(), "-", "scenario aborted: " + e);
        Progress.say(s.name() + " aborted: " + e);
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (rss) {
        tracker.after(s.name());
      }
      Progress.say(String.format("== %s done in %.0f s", s.name(), (System.nanoTime() - t0) / 1e9));
    }
  }
}

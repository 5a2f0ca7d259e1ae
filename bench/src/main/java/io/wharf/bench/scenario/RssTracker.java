package io.wharf.bench.scenario;

import io.wharf.bench.measure.ProcessTree;
import io.wharf.bench.report.Measurement;
import io.wharf.bench.report.Metric;
import io.wharf.bench.report.ScenarioTable;
import java.util.List;
import java.util.Map;

/**
 * Peak RSS per scenario: VmHWM of every target with a pid (and its direct children) is reset before
 * each scenario and read after it.
 */
public final class RssTracker {

  public static final String NAME = "rss";

  private final RunContext ctx;

  public RssTracker(RunContext ctx) {
    this.ctx = ctx;
  }

  public static ScenarioTable table() {
    return new ScenarioTable(NAME, "rss: peak resident memory per scenario",
        "VmHWM of each target's pid plus its direct children (nginx workers), reset with `echo 5 >"
            + " /proc/PID/clear_refs` before the scenario and read after it (all its rounds).",
        List.of(Metric.lower("peakRssMib", "peak RSS MiB", 1)));
  }

  public void before() {
    for (Target t : ctx.targets()) {
      ProcessTree p = t.process();
      if (p != null) {
        p.resetPeak();
      }
    }
  }

  public void after(String scenario) {
    for (Target t : ctx.targets()) {
      ProcessTree p = t.process();
      if (p != null) {
        double mib = p.peakRssMib();
        ctx.results().add(new Measurement(NAME, scenario, t.name(), 1, Map.of("peakRssMib", mib)));
        Progress.say(String.format("rss after %s: %s %.1f MiB", scenario, t.name(), mib));
      }
    }
  }
}

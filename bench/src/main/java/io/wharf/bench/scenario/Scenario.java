package io.wharf.bench.scenario;

import io.wharf.bench.report.ScenarioTable;

/** One scenario of the run: it measures every target in every round, interleaved. */
public interface Scenario {

  /** The name on the command line and in the report (warm-blob, manifest, ...). */
  String name();

  /** How its results are shown. */
  ScenarioTable table(RunContext ctx);

  /** Whether it needs the proxies warm (warm-blob, manifest, image-pull). */
  boolean needsWarmProxies();

  /**
   * Runs all rounds, adding measurements and errors to {@code ctx.results()}.
   *
   * @throws Exception if it cannot go on; the run records it and goes on with the next scenario
   */
  void run(RunContext ctx) throws Exception;
}

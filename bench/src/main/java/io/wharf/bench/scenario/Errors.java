package io.wharf.bench.scenario;

/** Carries a load's failures into the run's error log. */
final class Errors {

  private Errors() {}

  static void record(RunContext ctx, String scenario, Target t, LoadStats s) {
    if (s.errors() > 0) {
      ctx.results().errors().add(scenario, t.name(), s.errors(), String.join("; ", s.examples));
    }
  }
}

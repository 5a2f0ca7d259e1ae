package io.wharf.bench.report;

import java.util.List;

/**
 * How one scenario's measurements are shown: a heading, a sentence on what was measured, and its
 * metrics in row order.
 *
 * @param scenario the scenario name its measurements carry
 * @param title the table heading
 * @param description what was measured and how, one paragraph
 * @param metrics the metrics, in the order of the rows of each case
 */
public record ScenarioTable(String scenario, String title, String description, List<Metric> metrics) {

  public ScenarioTable {
    metrics = List.copyOf(metrics);
  }
}

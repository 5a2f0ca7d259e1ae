package io.wharf.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a run measured, in the order it was measured, and its errors. */
public final class Results {

  private final List<Measurement> measurements = new ArrayList<>();
  private final Map<String, ScenarioTable> tables = new LinkedHashMap<>();
  private final ErrorLog errors = new ErrorLog();

  /** Declares a scenario's table; tables appear in the report in declaration order. */
  public synchronized void declare(ScenarioTable table) {
    tables.putIfAbsent(table.scenario(), table);
  }

  public synchronized void add(Measurement m) {
    measurements.add(m);
  }

  public synchronized List<Measurement> measurements() {
    return List.copyOf(measurements);
  }

  public synchronized List<ScenarioTable> tables() {
    return List.copyOf(tables.values());
  }

  public ErrorLog errors() {
    return errors;
  }
}

package io.wharf.bench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers of one target in one case of one scenario in one round.
 *
 * @param scenario the scenario name (warm-blob, manifest, ...)
 * @param caseName the case within it ("100 MiB c=16", "HEAD tag")
 * @param target the target's name
 * @param round the round, from 1
 * @param values metric key to value; NaN or absent where not measured
 */
public record Measurement(String scenario, String caseName, String target, int round, Map<String, Double> values) {

  public Measurement {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public double value(String key) {
    Double v = values.get(key);
    return v == null ? Double.NaN : v;
  }
}

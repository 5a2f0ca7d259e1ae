package io.wharf.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The raw JSON of a run: its description, every round's numbers, and the errors. */
public final class RawJson {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RawJson() {}

  public static void write(Path file, RunInfo info, Results results) throws IOException {
    var root = new LinkedHashMap<String, Object>();
    root.put("run", info);
    root.put("measurements", results.measurements().stream().map(RawJson::measurement).toList());
    root.put("errors", results.errors().entries());
    JSON.writeValue(file.toFile(), root);
  }

  /** NaN is not JSON: unmeasured values are written as null. */
  private static Map<String, Object> measurement(Measurement m) {
    var values = new LinkedHashMap<String, Object>();
    m.values().forEach((k, v) -> values.put(k, v == null || !Double.isFinite(v) ? null : v));
    var o = new LinkedHashMap<String, Object>();
    o.put("scenario", m.scenario());
    o.put("case", m.caseName());
    o.put("target", m.target());
    o.put("round", m.round());
    o.put("values", values);
    return o;
  }
}

package io.wharf.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Failed requests and aborted steps, counted per scenario and target with the first few messages
 * kept, so a run with thousands of non-200 answers still writes a readable report.
 */
public final class ErrorLog {

  private static final int EXAMPLES = 5;

  /**
   * The errors of one scenario on one target.
   *
   * @param scenario the scenario
   * @param target the target
   * @param count how many errors
   * @param examples the first few messages
   */
  public record Entry(String scenario, String target, long count, List<String> examples) {}

  private final Map<String, Long> counts = new LinkedHashMap<>();
  private final Map<String, List<String>> examples = new LinkedHashMap<>();

  public synchronized void add(String scenario, String target, long count, String message) {
    if (count <= 0) {
      return;
    }
    String key = scenario + "\u0000" + target;
    counts.merge(key, count, Long::sum);
    List<String> ex = examples.computeIfAbsent(key, k -> new ArrayList<>());
    if (ex.size() < EXAMPLES && !ex.contains(message)) {
      ex.add(message);
    }
  }

  public void add(String scenario, String target, String message) {
    add(scenario, target, 1, message);
  }

  public synchronized boolean isEmpty() {
    return counts.isEmpty();
  }

  public synchronized long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public synchronized List<Entry> entries() {
    var list = new ArrayList<Entry>();
    for (var e : counts.entrySet()) {
      String[] k = e.getKey().split("\u0000", 2);
      list.add(new Entry(k[0], k[1], e.getValue(), List.copyOf(examples.get(e.getKey()))));
    }
    return list;
  }
}

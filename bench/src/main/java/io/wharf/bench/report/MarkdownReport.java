package io.wharf.bench.report;

import io.wharf.bench.measure.Stats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The markdown report: one table per scenario with each target's median over the rounds, the
 * subject's ratio to every other target, and how many rounds each median stands on; then the
 * errors.
 */
public final class MarkdownReport {

  private MarkdownReport() {}

  public static String render(RunInfo info, Results results) {
    var out = new StringBuilder();
    out.append("# wharf bench: ").append(info.started()).append("\n\n");
    out.append("Machine: ").append(info.machine()).append(". Generator: ").append(info.java())
        .append(", Netty ").append(info.transport()).append(". Profile `").append(info.profile())
        .append("`, ").append(info.rounds()).append(" round(s); every round measures all targets back to back")
        .append(" (interleaved; column order in odd rounds, reversed in even ones), and each cell is the median over the rounds. All traffic on loopback;")
        .append(" the generator shares the cores with the servers.\n\n");
    out.append("Targets (column order): ");
    List<String> names = new ArrayList<>();
    for (RunInfo.TargetInfo t : info.targets()) {
      names.add(t.name());
      out.append('`').append(t.name()).append("` = ").append(t.url());
      var notes = new ArrayList<String>();
      if (!t.role().equals("origin")) {
        notes.add(t.role());
      }
      if (t.pid() != null) {
        notes.add("pid " + t.pid());
      }
      if (t.name().equals(info.subject())) {
        notes.add("**subject**");
      }
      if (!notes.isEmpty()) {
        out.append(" (").append(String.join(", ", notes)).append(')');
      }
      out.append("; ");
    }
    out.setLength(out.length() - 2);
    out.append(".\n\nRatio columns: the subject's median divided by the other target's (↑ higher is better,")
        .append(" ↓ lower is better).\n\n");
    out.append("Command: `wharf-bench ").append(String.join(" ", info.commandLine())).append("`\n\n");

    List<Measurement> all = results.measurements();
    for (ScenarioTable table : results.tables()) {
      renderTable(out, table, all.stream().filter(m -> m.scenario().equals(table.scenario())).toList(), names,
          info.subject());
    }
    renderErrors(out, results.errors());
    return out.toString();
  }

  private static void renderTable(StringBuilder out, ScenarioTable table, List<Measurement> ms, List<String> allTargets,
      String subject) {
    out.append("## ").append(table.title()).append("\n\n");
    out.append(table.description()).append("\n\n");
    if (ms.isEmpty()) {
      out.append("_No measurements (the scenario did not run or failed before measuring; see errors)._\n\n");
      return;
    }
    Set<String> present = ms.stream().map(Measurement::target).collect(Collectors.toSet());
    List<String> targets = allTargets.stream().filter(present::contains).toList();
    List<String> others = present.contains(subject) ? targets.stream().filter(t -> !t.equals(subject)).toList()
        : List.of();
    var cases = new LinkedHashSet<String>();
    ms.forEach(m -> cases.add(m.caseName()));

    out.append("| case | metric |");
    targets.forEach(t -> out.append(' ').append(t).append(" |"));
    others.forEach(o -> out.append(' ').append(subject).append(" / ").append(o).append(" |"));
    out.append(" rounds |\n|---|---|");
    targets.forEach(t -> out.append("---:|"));
    others.forEach(o -> out.append("---:|"));
    out.append("---|\n");

    for (String c : cases) {
      for (Metric metric : table.metrics()) {
        Map<String, List<Double>> perTarget = new LinkedHashMap<>();
        for (String t : targets) {
          perTarget.put(t, ms.stream().filter(m -> m.caseName().equals(c) && m.target().equals(t))
              .map(m -> m.value(metric.key())).toList());
        }
        if (perTarget.values().stream().allMatch(v -> Stats.finiteCount(v) == 0)) {
          continue; // a metric this case does not have (e.g. upstream counts on a non-proxy case)
        }
        out.append("| ").append(c).append(" | ").append(metric.label());
        if (!metric.higherIsBetter().arrow().isEmpty()) {
          out.append(' ').append(metric.higherIsBetter().arrow());
        }
        out.append(" |");
        Map<String, Double> medians = new LinkedHashMap<>();
        for (String t : targets) {
          double med = Stats.median(perTarget.get(t));
          medians.put(t, med);
          out.append(' ').append(format(med, metric.decimals())).append(" |");
        }
        for (String o : others) {
          out.append(' ').append(ratio(medians.get(subject), medians.get(o))).append(" |");
        }
        out.append(' ').append(roundCounts(targets, perTarget)).append(" |\n");
      }
    }
    out.append('\n');
  }

  private static void renderErrors(StringBuilder out, ErrorLog errors) {
    out.append("## Errors\n\n");
    if (errors.isEmpty()) {
      out.append("None: every request got the expected status, length and (where checked) digest.\n");
      return;
    }
    out.append("**").append(errors.total()).append(" failed request(s) or step(s).**\n\n");
    out.append("| scenario | target | count | first messages |\n|---|---|---:|---|\n");
    for (ErrorLog.Entry e : errors.entries()) {
      out.append("| ").append(e.scenario()).append(" | ").append(e.target()).append(" | ").append(e.count())
          .append(" | ").append(e.examples().stream().map(MarkdownReport::cell).collect(Collectors.joining("<br>")))
          .append(" |\n");
    }
  }

  private static String roundCounts(List<String> targets, Map<String, List<Double>> perTarget) {
    var counts = targets.stream().map(t -> Stats.finiteCount(perTarget.get(t))).filter(n -> n > 0).toList();
    if (counts.stream().distinct().count() <= 1) {
      return counts.isEmpty() ? "0" : counts.get(0).toString();
    }
    return targets.stream().map(t -> Integer.toString(Stats.finiteCount(perTarget.get(t))))
        .collect(Collectors.joining("/"));
  }

  static String format(double v, int decimals) {
    if (!Double.isFinite(v)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  static String ratio(Double subject, Double other) {
    if (subject == null || other == null || !Double.isFinite(subject) || !Double.isFinite(other) || other == 0) {
      return "–";
    }
    double r = subject / other;
    return String.format(Locale.ROOT, r >= 100 ? "%.0f×" : r >= 10 ? "%.1f×" : "%.2f×", r);
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}

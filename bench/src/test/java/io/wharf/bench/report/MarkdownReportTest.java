package io.wharf.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MarkdownReportTest {

  private static RunInfo info() {
    return new RunInfo("2026-11-25T00:00:00Z", "2 cores", "Java 17", "epoll", "smoke", 3, "seed.json",
        List.of("run"), List.of(new RunInfo.TargetInfo("nginx", "http://127.0.0.1:1", 10L, "origin"),
            new RunInfo.TargetInfo("wharf", "http://127.0.0.1:2", 20L, "proxy")), "wharf");
  }

  @Test
  void showsMediansRatiosAndRoundCounts() {
    var results = new Results();
    results.declare(new ScenarioTable("warm-blob", "warm-blob: GET", "desc",
        List.of(Metric.higher("mibps", "MiB/s", 0), Metric.lower("upstream", "upstream", 2))));
    double[] nginx = {1000, 3000, 2000};
    double[] wharf = {900, 1100, 1000};
    for (int r = 0; r < 3; r++) {
      results.add(new Measurement("warm-blob", "4 MiB c=1", "nginx", r + 1, Map.of("mibps", nginx[r])));
      results.add(new Measurement("warm-blob", "4 MiB c=1", "wharf", r + 1,
          r == 2 ? Map.of("mibps", Double.NaN) : Map.of("mibps", wharf[r])));
    }
    String md = MarkdownReport.render(info(), results);

    assertThat(md).contains("| case | metric | nginx | wharf | wharf / nginx | rounds |");
    // nginx median of 1000, 2000, 3000; wharf median of 900 and 1100 (the NaN round is left out)
    assertThat(md).contains("| 4 MiB c=1 | MiB/s ↑ | 2,000 | 1,000 | 0.50× | 3/2 |");
    assertThat(md).as("a metric no target has is not a row").doesNotContain("| upstream");
    assertThat(md).contains("None: every request got the expected status");
  }

  @Test
  void listsErrorsAndEmptyTables() {
    var results = new Results();
    results.declare(new ScenarioTable("herd", "herd: N clients", "desc", List.of(Metric.lower("s", "s", 1))));
    results.errors().add("herd", "wharf", 3, "expected 200, got HTTP 502");
    results.errors().add("herd", "wharf", 1, "connection closed | reset");
    String md = MarkdownReport.render(info(), results);

    assertThat(md).contains("_No measurements");
    assertThat(md).contains("**4 failed request(s) or step(s).**");
    assertThat(md).contains("| herd | wharf | 4 | expected 200, got HTTP 502<br>connection closed \\| reset |");
  }

  @Test
  void ratiosAreFormattedByMagnitude() {
    assertThat(MarkdownReport.ratio(2.0, 1.0)).isEqualTo("2.00×");
    assertThat(MarkdownReport.ratio(25.0, 1.0)).isEqualTo("25.0×");
    assertThat(MarkdownReport.ratio(500.0, 1.0)).isEqualTo("500×");
    assertThat(MarkdownReport.ratio(1.0, 0.0)).isEqualTo("–");
    assertThat(MarkdownReport.ratio(Double.NaN, 1.0)).isEqualTo("–");
  }
}

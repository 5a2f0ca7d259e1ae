package io.wharf.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Proves every benchmark runs and produces a score: in-process, one short iteration each. Not a
 * measurement (JMH prints the non-forked warning); real runs use the packaged module with forks.
 */
final class BenchmarksRunTest {
  @Test
  void everyBenchmarkRunsAndScores() throws RunnerException {
    Options options = new OptionsBuilder()
        .include("io\\.wharf\\.bench\\.jmh\\..*")
        .param("chunkSize", "65536")
        .param("repositories", "50")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    assertThat(results).hasSize(8);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getScore()).as(r.getParams().getBenchmark()).isPositive();
    }
  }
}

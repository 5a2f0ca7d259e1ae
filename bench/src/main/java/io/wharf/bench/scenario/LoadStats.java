package io.wharf.bench.scenario;

import io.wharf.bench.http.Response;
import io.wharf.bench.measure.Latencies;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Counts of one load: filled by one client loop (one event-loop thread, no locking), merged after
 * the load has finished.
 */
final class LoadStats {

  private static final int EXAMPLES = 3;

  long responses;
  long ok;
  long non200;
  long badBody;
  long failures;
  long bytes;
  long lastEnd;
  final Latencies latencies = new Latencies();
  final List<String> examples = new ArrayList<>();

  /** Counts {@code r} against {@code expect}; returns the problem, or null if it was right. */
  @Nullable String record(Response r, Expect expect) {
    responses++;
    bytes += r.bodyBytes();
    lastEnd = Math.max(lastEnd, r.endNanos());
    latencies.recordNanos(r.totalNanos());
    String problem = expect.problem(r);
    if (problem == null) {
      ok++;
    } else {
      if (expect.statusOk(r)) {
        badBody++;
      } else {
        non200++;
      }
      example(problem);
    }
    return problem;
  }

  void failure(Throwable t) {
    failures++;
    lastEnd = Math.max(lastEnd, System.nanoTime());
    Throwable cause = t.getCause() != null && t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
    example(String.valueOf(cause.getMessage() == null ? cause : cause.getMessage()));
  }

  void example(String message) {
    if (examples.size() < EXAMPLES && !examples.contains(message)) {
      examples.add(message);
    }
  }

  long errors() {
    return non200 + badBody + failures;
  }

  void merge(LoadStats o) {
    responses += o.responses;
    ok += o.ok;
    non200 += o.non200;
    badBody += o.badBody;
    failures += o.failures;
    bytes += o.bytes;
    lastEnd = Math.max(lastEnd, o.lastEnd);
    latencies.add(o.latencies);
    for (String e : o.examples) {
      example(e);
    }
  }
}

package io.wharf.bench.scenario;

import io.wharf.bench.Profile;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.http.Response;
import io.wharf.bench.report.Measurement;
import io.wharf.bench.report.Metric;
import io.wharf.bench.report.ScenarioTable;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A fresh blob pulled through each proxy while uncached, against the same blob straight from the
 * upstream: total time, time to first byte, and how often and how much the proxy read it upstream.
 * Relays (which forward and keep nothing) are pulled through the same way: what a proxy costs beyond
 * a relay is what keeping the blob costs.
 */
public final class ColdPullScenario implements Scenario {

  public static final String NAME = "cold-pull";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsWarmProxies() {
    return false;
  }

  @Override
  public ScenarioTable table(RunContext ctx) {
    return new ScenarioTable(NAME, "cold-pull: an uncached blob through the proxy against the upstream directly",
        "Per proxy (and relay) and round: a fresh random blob is pushed to the upstream's `" + RunContext.COLD_REPOSITORY
            + "`, fetched once through the proxy (body sha256 and length checked), then once directly from the"
            + " upstream; then deleted from the upstream. Overhead = cold - direct. Upstream GETs and bytes for the"
            + " digest are read from the upstream's access log after it has gone quiet (the generator's direct GET"
            + " left out); ideal: 1 GET and 1.00x the blob's size. A relay (nginx proxy_pass, nothing kept) pays the"
            + " extra hop alone: the floor of any proxy on the same machine.",
        List.of(Metric.lower("coldS", "cold s", 3), Metric.lower("coldTtfbMs", "cold TTFB ms", 1),
            Metric.lower("directS", "direct s", 3), Metric.lower("directTtfbMs", "direct TTFB ms", 1),
            Metric.lower("coldOverDirect", "cold / direct", 2), Metric.lower("overheadMs", "overhead ms", 1),
            Metric.lower("ttfbRatio", "TTFB cold / direct", 2), Metric.lower("upstreamGets", "upstream GETs", 0),
            Metric.lower("upstreamBytesRatio", "upstream bytes / size", 2)));
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    if (ctx.pullers().isEmpty()) {
      Progress.say(NAME + ": no --proxy or --relay target, skipped");
      return;
    }
    for (int round = 1; round <= ctx.profile().rounds(); round++) {
      for (long size : ctx.profile().coldSizes()) {
        for (Target t : ctx.pullersFor(round)) {
          measure(ctx, round, t, size);
        }
      }
    }
  }

  private void measure(RunContext ctx, int round, Target t, long size) throws Exception {
    String caseName = Profile.sizeLabel(size);
    FreshBlob blob = FreshBlob.push(ctx, size);
    try {
      // whatever the push set off (nothing, normally) is over before the clock starts
      Thread.sleep(300);
      Duration timeout = Duration.ofSeconds(Math.max(120, size / (10 * Profile.MIB)));
      Expect expect = Expect.ok(size).withDigest(blob.digest());
      long mark = FreshBlob.upstreamMark(ctx);
      Response cold = fetch(ctx, t, t.url(), Request.get(blob.path()).hashing(), timeout, expect);
      FreshBlob.UpstreamCount up = blob.upstreamSince(ctx, mark);
      Response direct = fetch(ctx, t, ctx.upstream(),
          Request.get(blob.path()).hashing().withUserAgent(FreshBlob.DIRECT_AGENT), timeout, expect);
      Map<String, Double> v = new LinkedHashMap<>();
      double coldS = cold == null ? Double.NaN : cold.totalNanos() / 1e9;
      double directS = direct == null ? Double.NaN : direct.totalNanos() / 1e9;
      double coldTtfb = cold == null ? Double.NaN : cold.ttfbNanos() / 1e6;
      double directTtfb = direct == null ? Double.NaN : direct.ttfbNanos() / 1e6;
      v.put("coldS", coldS);
      v.put("coldTtfbMs", coldTtfb);
      v.put("directS", directS);
      v.put("directTtfbMs", directTtfb);
      v.put("coldOverDirect", coldS / directS);
      v.put("overheadMs", (coldS - directS) * 1000);
      v.put("ttfbRatio", coldTtfb / directTtfb);
      FreshBlob.UpstreamCount.record(v, up, size);
      ctx.results().add(new Measurement(NAME, caseName, t.name(), round, v));
      Progress.say(String.format("%s round %d %s %s: cold %.3f s (TTFB %.1f ms), direct %.3f s (TTFB %.1f ms),"
          + " upstream GETs %s, bytes %.2fx", NAME, round, caseName, t.name(), coldS, coldTtfb, directS, directTtfb,
          up == null ? "?" : up.gets(), v.get("upstreamBytesRatio")));
    } finally {
      blob.delete(ctx);
    }
  }

  /** One GET on a fresh connection; a wrong answer is recorded as an error and returned as null. */
  private static @Nullable Response fetch(RunContext ctx, Target t, java.net.URI base, Request request,
      Duration timeout, Expect expect) {
    try (Connection c = ctx.http().connect(base)) {
      Response r = c.sendSync(request, timeout);
      String problem = expect.problem(r);
      if (problem != null) {
        ctx.results().errors().add(NAME, t.name(), base + request.target() + ": " + problem);
        return null;
      }
      return r;
    } catch (IOException e) {
      ctx.results().errors().add(NAME, t.name(), base + request.target() + ": " + e.getMessage());
      return null;
    }
  }
}

package io.wharf.bench.scenario;

import io.wharf.bench.Profile;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.measure.AccessLine;
import io.wharf.bench.registry.OciPaths;
import io.wharf.bench.report.Measurement;
import io.wharf.bench.report.Metric;
import io.wharf.bench.report.ScenarioTable;
import io.wharf.bench.seed.SeedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HEAD and GET of the app image's manifest, by tag and by digest, by 64 clients for a fixed time:
 * requests/s and latency, and for proxies how many upstream requests each client request caused.
 */
public final class ManifestScenario implements Scenario {

  public static final String NAME = "manifest";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsWarmProxies() {
    return true;
  }

  @Override
  public ScenarioTable table(RunContext ctx) {
    SeedImage app = ctx.seed().app();
    return new ScenarioTable(NAME, "manifest: HEAD and GET of a manifest by tag and by digest",
        "`" + app.name() + ":" + app.tag() + "` (an OCI index, " + app.size() + " bytes) by "
            + Profile.MANIFEST_CONCURRENCY + " clients on keep-alive connections for "
            + ctx.profile().manifestDuration().toMillis() / 1000.0 + " s each, with containerd's Accept header."
            + " Latency per request from HdrHistogram. Upstream requests per request: access-log lines the upstream"
            + " wrote during the measurement / requests (proxies only).",
        List.of(Metric.higher("rps", "requests/s", 0), Metric.lower("p50Ms", "p50 ms", 2),
            Metric.lower("p99Ms", "p99 ms", 2), Metric.lower("non200", "non-200", 0),
            Metric.lower("serverCpuMsPerRequest", "server CPU ms/request", 3),
            Metric.lower("upstreamPerRequest", "upstream requests/request", 2)));
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    SeedImage app = ctx.seed().app();
    for (int round = 1; round <= ctx.profile().rounds(); round++) {
      for (String ref : List.of("tag", "digest")) {
        String reference = ref.equals("tag") ? app.tag() : app.digest();
        String accept = ref.equals("tag") ? OciPaths.ACCEPT_ANY_MANIFEST : OciPaths.acceptOnly(app.mediaType());
        String path = OciPaths.manifest(app.name(), reference);
        for (boolean head : new boolean[] {true, false}) {
          Request request = (head ? Request.head(path) : Request.get(path)).withHeader("Accept", accept);
          Expect expect = head ? Expect.okHead(app.size()) : Expect.ok(app.size());
          String caseName = (head ? "HEAD " : "GET ") + ref;
          for (Target t : ctx.targetsFor(round)) {
            measure(ctx, round, t, caseName, request, expect);
          }
        }
      }
    }
  }

  private void measure(RunContext ctx, int round, Target t, String caseName, Request request, Expect expect)
      throws Exception {
    List<Connection> connections = ctx.http().connect(t.url(), Profile.MANIFEST_CONCURRENCY);
    Loads.Outcome o;
    Window w;
    try {
      w = Window.open(t, t.proxy() ? ctx.upstreamLog() : null);
      o = Loads.timed(connections, request, expect, ctx.profile().manifestDuration());
      w.close();
    } finally {
      connections.forEach(Connection::close);
    }
    LoadStats s = o.stats();
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("rps", s.responses / o.seconds());
    v.put("p50Ms", s.latencies.percentileMillis(50));
    v.put("p99Ms", s.latencies.percentileMillis(99));
    v.put("non200", (double) s.non200);
    v.put("serverCpuMsPerRequest", s.responses > 0 ? w.serverCpuSeconds() * 1000 / s.responses : Double.NaN);
    List<AccessLine> upstream = w.upstreamLines();
    v.put("upstreamPerRequest", upstream == null || s.responses == 0 ? Double.NaN
        : upstream.size() / (double) s.responses);
    v.put("clientCpuMsPerRequest", s.responses > 0 ? w.clientCpuSeconds() * 1000 / s.responses : Double.NaN);
    v.put("errors", (double) s.errors());
    v.put("requests", (double) s.responses);
    ctx.results().add(new Measurement(NAME, caseName, t.name(), round, v));
    Errors.record(ctx, NAME, t, s);
    Progress.say(String.format("%s round %d %s %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms%s%s", NAME, round, caseName,
        t.name(), v.get("rps"), v.get("p50Ms"), v.get("p99Ms"),
        upstream == null ? "" : String.format(", upstream %.2f/req", v.get("upstreamPerRequest")),
        s.errors() > 0 ? ", " + s.errors() + " errors" : ""));
  }
}

package io.wharf.bench.scenario;

import io.wharf.bench.Profile;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.registry.OciPaths;
import io.wharf.bench.report.Measurement;
import io.wharf.bench.report.Metric;
import io.wharf.bench.report.ScenarioTable;
import io.wharf.bench.seed.SeedBlob;
import io.wharf.bench.seed.SeedImage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET of a cached blob, each size at concurrency 1 and 16, a fixed volume per measurement: MiB/s,
 * and the CPU the server and the generator spent per GiB.
 */
public final class WarmBlobScenario implements Scenario {

  public static final String NAME = "warm-blob";

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
    Profile p = ctx.profile();
    return new ScenarioTable(NAME, "warm-blob: GET of a cached blob",
        "Each blob image's layer, GET back to back by 1 and by " + Profile.WARM_CONCURRENCY.get(1)
            + " clients (one keep-alive connection each) until " + Profile.sizeLabel(p.volumeC1()) + " (c=1) or "
            + Profile.sizeLabel(p.volumeCn()) + " (c>1) have moved, at least one request per client. MiB/s = body"
            + " bytes / wall time. Server CPU = utime+stime of the target's pid and its direct children per GiB"
            + " served; client CPU = this generator's process CPU per GiB.",
        List.of(Metric.higher("mibps", "MiB/s", 0), Metric.lower("serverCpuPerGib", "server CPU s/GiB", 3),
            Metric.lower("clientCpuPerGib", "client CPU s/GiB", 3), Metric.lower("non200", "non-200", 0)));
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Profile p = ctx.profile();
    for (int round = 1; round <= p.rounds(); round++) {
      for (SeedImage image : ctx.seed().blobImages()) {
        SeedBlob layer = image.manifests().get(0).layers().get(0);
        for (int c : Profile.WARM_CONCURRENCY) {
          long volume = c == 1 ? p.volumeC1() : p.volumeCn();
          long n = Math.max(1, (volume + layer.size() - 1) / layer.size());
          int perClient = (int) Math.max(1, (n + c - 1) / c);
          for (Target t : ctx.targetsFor(round)) {
            measure(ctx, round, t, image.name(), layer, c, perClient);
          }
        }
      }
    }
  }

  private void measure(RunContext ctx, int round, Target t, String repository, SeedBlob layer, int c, int perClient)
      throws Exception {
    String caseName = Profile.sizeLabel(layer.size()) + " c=" + c;
    long expectedBytes = layer.size() * c * (long) perClient;
    // a slow target still finishes: at least 20 MiB/s, and never under two minutes
    Duration timeout = Duration.ofSeconds(Math.max(120, expectedBytes / (20 * Profile.MIB)));
    List<Connection> connections = ctx.http().connect(t.url(), c);
    Loads.Outcome o;
    Window w;
    try {
      w = Window.open(t, null);
      o = Loads.fixed(connections, Request.get(OciPaths.blob(repository, layer.digest())), Expect.ok(layer.size()),
          perClient, timeout);
      w.close();
    } finally {
      connections.forEach(Connection::close);
    }
    LoadStats s = o.stats();
    double gib = s.bytes / (double) Profile.GIB;
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("mibps", s.bytes / (double) Profile.MIB / o.seconds());
    v.put("serverCpuPerGib", gib > 0 ? w.serverCpuSeconds() / gib : Double.NaN);
    v.put("clientCpuPerGib", gib > 0 ? w.clientCpuSeconds() / gib : Double.NaN);
    v.put("non200", (double) s.non200);
    v.put("errors", (double) s.errors());
    v.put("requests", (double) s.responses);
    v.put("seconds", o.seconds());
    ctx.results().add(new Measurement(NAME, caseName, t.name(), round, v));
    Errors.record(ctx, NAME, t, s);
    Progress.say(String.format("%s round %d %s %s: %.0f MiB/s (%d req, server %.3f s/GiB, client %.3f s/GiB%s)",
        NAME, round, caseName, t.name(), v.get("mibps"), s.responses, v.get("serverCpuPerGib"),
        v.get("clientCpuPerGib"), s.errors() > 0 ? ", " + s.errors() + " errors" : ""));
  }
}

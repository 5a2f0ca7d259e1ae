package io.wharf.bench.scenario;

import io.wharf.bench.Profile;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.http.Response;
import io.wharf.bench.report.Measurement;
import io.wharf.bench.report.Metric;
import io.wharf.bench.report.ScenarioTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A thundering herd: N clients GET the same uncached blob through a proxy at once, as when a
 * cluster restarts; then the same N again, warm. The upstream should see one GET.
 */
public final class HerdScenario implements Scenario {

  public static final String NAME = "herd";

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
    return new ScenarioTable(NAME, "herd: N clients on one uncached blob at once",
        "Per proxy, client count and round: a fresh " + Profile.sizeLabel(ctx.profile().herdSize())
            + " random blob is pushed to the upstream; N clients (one connection each, opened beforehand) GET it"
            + " through the proxy at the same moment (cold wall = first send to last byte), then the same N GET it"
            + " again (warm wall). Every length is checked, and client 1's body sha256. Upstream GETs and bytes for"
            + " the digest come from the upstream's access log; ideal: 1 GET, 1.00x.",
        List.of(Metric.lower("coldWallS", "cold wall s", 3), Metric.lower("fastestS", "fastest client s", 3),
            Metric.lower("slowestS", "slowest client s", 3), Metric.lower("warmWallS", "warm wall s", 3),
            Metric.lower("coldOverWarm", "cold / warm", 2), Metric.lower("upstreamGets", "upstream GETs", 0),
            Metric.lower("upstreamBytesRatio", "upstream bytes / size", 2),
            Metric.higher("clientsOk", "clients OK", 0)));
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    if (ctx.proxies().isEmpty()) {
      Progress.say(NAME + ": no --proxy target, skipped");
      return;
    }
    for (int round = 1; round <= ctx.profile().rounds(); round++) {
      for (int n : ctx.profile().herdClients()) {
        for (Target t : ctx.proxiesFor(round)) {
          measure(ctx, round, t, n);
        }
      }
    }
  }

  private void measure(RunContext ctx, int round, Target t, int n) throws Exception {
    long size = ctx.profile().herdSize();
    String caseName = "N=" + n;
    FreshBlob blob = FreshBlob.push(ctx, size);
    List<Connection> connections = ctx.http().connect(t.url(), n);
    try {
      Thread.sleep(300);
      Expect expect = Expect.ok(size).withDigest(blob.digest());
      Duration timeout = Duration.ofSeconds(Math.max(180, n * size / (10 * Profile.MIB)));
      long mark = FreshBlob.upstreamMark(ctx);
      Wave cold = wave(ctx, t, connections, blob, expect, timeout);
      FreshBlob.UpstreamCount up = blob.upstreamSince(ctx, mark);
      Wave warm = wave(ctx, t, connections, blob, expect, timeout);
      Map<String, Double> v = new LinkedHashMap<>();
      v.put("coldWallS", cold.wallS);
      v.put("fastestS", cold.fastestS);
      v.put("slowestS", cold.slowestS);
      v.put("warmWallS", warm.wallS);
      v.put("coldOverWarm", cold.wallS / warm.wallS);
      FreshBlob.UpstreamCount.record(v, up, size);
      v.put("clientsOk", (double) cold.ok);
      v.put("warmClientsOk", (double) warm.ok);
      ctx.results().add(new Measurement(NAME, caseName, t.name(), round, v));
      Progress.say(String.format("%s round %d %s %s: cold wall %.3f s (clients %.3f..%.3f s), warm wall %.3f s,"
          + " upstream GETs %s, bytes %.2fx, ok %d/%d", NAME, round, caseName, t.name(), cold.wallS, cold.fastestS,
          cold.slowestS, warm.wallS, up == null ? "?" : up.gets(), v.get("upstreamBytesRatio"), cold.ok, n));
    } finally {
      connections.forEach(Connection::close);
      blob.delete(ctx);
    }
  }

  /**
   * One wave of N simultaneous GETs.
   *
   * @param wallS first send to last byte
   * @param fastestS the quickest client's total time
   * @param slowestS the slowest client's total time
   * @param ok clients whose answer was right
   */
  private record Wave(double wallS, double fastestS, double slowestS, int ok) {}

  private static Wave wave(RunContext ctx, Target t, List<Connection> connections, FreshBlob blob, Expect expect,
      Duration timeout) throws Exception {
    Request plain = Request.get(blob.path());
    var futures = new ArrayList<CompletableFuture<Response>>(connections.size());
    long t0 = System.nanoTime();
    for (int i = 0; i < connections.size(); i++) {
      futures.add(connections.get(i).send(i == 0 ? plain.hashing() : plain));
    }
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null).get(timeout.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      connections.forEach(Connection::close);
    }
    long end = t0;
    double fastest = Double.POSITIVE_INFINITY;
    double slowest = 0;
    int ok = 0;
    for (CompletableFuture<Response> f : futures) {
      Response r;
      try {
        r = f.getNow(null);
      } catch (CompletionException e) {
        ctx.results().errors().add(NAME, t.name(), blob.path() + ": " + e.getCause().getMessage());
        continue;
      }
      if (r == null) {
        ctx.results().errors().add(NAME, t.name(), blob.path() + ": no answer within " + timeout);
        continue;
      }
      String problem = expect.problem(r);
      if (problem != null) {
        ctx.results().errors().add(NAME, t.name(), blob.path() + ": " + problem);
        continue;
      }
      ok++;
      end = Math.max(end, r.endNanos());
      fastest = Math.min(fastest, r.totalNanos() / 1e9);
      slowest = Math.max(slowest, r.totalNanos() / 1e9);
    }
    return new Wave(ok == 0 ? Double.NaN : (end - t0) / 1e9, ok == 0 ? Double.NaN : fastest,
        ok == 0 ? Double.NaN : slowest, ok);
  }
}

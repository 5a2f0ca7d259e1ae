package io.wharf.bench.scenario;

import io.wharf.bench.Profile;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.measure.AccessLine;
import io.wharf.bench.measure.Latencies;
import io.wharf.bench.registry.OciPaths;
import io.wharf.bench.report.Measurement;
import io.wharf.bench.report.Metric;
import io.wharf.bench.report.ScenarioTable;
import io.wharf.bench.seed.SeedBlob;
import io.wharf.bench.seed.SeedImage;
import io.wharf.bench.seed.SeedManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whole-image pulls as containerd makes them (HEAD of the tag, GET of the index and of the amd64
 * manifest by digest, GET of the config, then the layers three at a time), by four concurrent
 * pullers for a fixed time: images/s and latency per image.
 */
public final class ImagePullScenario implements Scenario {

  public static final String NAME = "image-pull";
  static final String PLATFORM = "linux/amd64";

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
    SeedManifest m = app.platform(PLATFORM);
    long bytes = m.blobs().stream().mapToLong(SeedBlob::size).sum();
    return new ScenarioTable(NAME, "image-pull: whole-image pulls, containerd's request sequence",
        "`" + app.name() + ":" + app.tag() + "` " + m.platform() + " (" + m.layers().size() + " layers, "
            + Profile.sizeLabel(bytes) + "): HEAD by tag, GET index, GET platform manifest, GET config, then the"
            + " layers " + Profile.LAYERS_AT_ONCE + " at a time; " + Profile.IMAGE_PULLERS + " pullers (each with "
            + Profile.LAYERS_AT_ONCE + " keep-alive connections) for " + ctx.profile().imagePullDuration().toMillis()
            / 1000.0 + " s. Latency = first request to last layer byte.",
        List.of(Metric.higher("imagesPerSec", "images/s", 1), Metric.lower("p50Ms", "p50 ms/image", 1),
            Metric.lower("p99Ms", "p99 ms/image", 1), Metric.lower("errors", "failed requests", 0),
            Metric.lower("serverCpuMsPerImage", "server CPU ms/image", 2),
            Metric.lower("upstreamPerImage", "upstream requests/image", 2)));
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    for (int round = 1; round <= ctx.profile().rounds(); round++) {
      for (Target t : ctx.targetsFor(round)) {
        measure(ctx, round, t);
      }
    }
  }

  private void measure(RunContext ctx, int round, Target t) throws Exception {
    List<Step> head = headSteps(ctx.seed().app());
    List<Step> layers = ctx.seed().app().platform(PLATFORM).layers().stream()
        .map(b -> new Step(Request.get(OciPaths.blob(ctx.seed().app().name(), b.digest())), Expect.ok(b.size())))
        .toList();
    var pullers = new ArrayList<Puller>();
    var connections = new ArrayList<Connection>();
    Window w;
    long t0;
    try {
      for (int i = 0; i < Profile.IMAGE_PULLERS; i++) {
        List<Connection> own = ctx.http().connect(t.url(), Profile.LAYERS_AT_ONCE);
        connections.addAll(own);
        pullers.add(new Puller(own, head, layers));
      }
      w = Window.open(t, t.proxy() ? ctx.upstreamLog() : null);
      t0 = System.nanoTime();
      long deadline = t0 + ctx.profile().imagePullDuration().toNanos();
      pullers.forEach(p -> p.start(deadline));
      CompletableFuture.allOf(pullers.stream().map(p -> p.done).toArray(CompletableFuture[]::new))
          .get(ctx.profile().imagePullDuration().toSeconds() + 300, TimeUnit.SECONDS);
      w.close();
    } finally {
      connections.forEach(Connection::close);
    }
    var stats = new LoadStats();
    var latencies = new Latencies();
    long images = 0;
    long end = t0;
    for (Puller p : pullers) {
      synchronized (p) {
        stats.merge(p.stats);
        latencies.add(p.imageLatencies);
        images += p.images;
        end = Math.max(end, p.lastImageEnd);
      }
    }
    double seconds = (end - t0) / 1e9;
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("imagesPerSec", seconds > 0 ? images / seconds : 0.0);
    v.put("p50Ms", latencies.percentileMillis(50));
    v.put("p99Ms", latencies.percentileMillis(99));
    v.put("errors", (double) stats.errors());
    v.put("serverCpuMsPerImage", images > 0 ? w.serverCpuSeconds() * 1000 / images : Double.NaN);
    List<AccessLine> upstream = w.upstreamLines();
    v.put("upstreamPerImage", upstream == null || images == 0 ? Double.NaN : upstream.size() / (double) images);
    v.put("images", (double) images);
    v.put("requests", (double) stats.responses);
    v.put("mibps", seconds > 0 ? stats.bytes / (double) Profile.MIB / seconds : Double.NaN);
    ctx.results().add(new Measurement(NAME, "4 pullers", t.name(), round, v));
    Errors.record(ctx, NAME, t, stats);
    Progress.say(String.format("%s round %d %s: %.1f images/s, p50 %.1f ms, p99 %.1f ms (%d images%s)", NAME, round,
        t.name(), v.get("imagesPerSec"), v.get("p50Ms"), v.get("p99Ms"), images,
        stats.errors() > 0 ? ", " + stats.errors() + " errors" : ""));
  }

  /** HEAD by tag, then the index and the platform manifest by digest, then the config. */
  static List<Step> headSteps(SeedImage app) {
    var steps = new ArrayList<Step>();
    steps.add(new Step(Request.head(OciPaths.manifest(app.name(), app.tag()))
        .withHeader("Accept", OciPaths.ACCEPT_ANY_MANIFEST), Expect.okHead(app.size())));
    if (app.isIndex()) {
      steps.add(new Step(Request.get(OciPaths.manifest(app.name(), app.digest()))
          .withHeader("Accept", OciPaths.acceptOnly(app.mediaType())), Expect.ok(app.size())));
    }
    SeedManifest m = app.platform(PLATFORM);
    steps.add(new Step(Request.get(OciPaths.manifest(app.name(), m.digest()))
        .withHeader("Accept", OciPaths.acceptOnly(m.mediaType())), Expect.ok(m.size())));
    steps.add(new Step(Request.get(OciPaths.blob(app.name(), m.config().digest()))
        .withHeader("Accept", OciPaths.acceptOnly(m.config().mediaType())), Expect.ok(m.config().size())));
    return steps;
  }

  /**
   * One request of a pull and its right answer.
   *
   * @param request the request
   * @param expect the answer
   */
  record Step(Request request, Expect expect) {}

  /**
   * One puller: image after image until the deadline. Its connections may sit on different event
   * loops, so its counters are guarded by its own lock.
   */
  static final class Puller {
    final List<Connection> connections;
    final List<Step> head;
    final List<Step> layers;
    final LoadStats stats = new LoadStats();
    final Latencies imageLatencies = new Latencies();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long images;
    long lastImageEnd;
    private long deadline;
    private long imageStart;
    private boolean imageBad;
    private boolean broken;

    Puller(List<Connection> connections, List<Step> head, List<Step> layers) {
      this.connections = connections;
      this.head = head;
      this.layers = layers;
    }

    void start(long deadlineNanos) {
      this.deadline = deadlineNanos;
      startImage();
    }

    private void startImage() {
      synchronized (this) {
        if (broken || System.nanoTime() >= deadline) {
          done.complete(null);
          return;
        }
        imageStart = System.nanoTime();
        imageBad = false;
      }
      step(0);
    }

    private void step(int i) {
      if (i == head.size()) {
        startLayers();
        return;
      }
      Step s = head.get(i);
      connections.get(0).send(s.request()).whenComplete((r, e) -> {
        boolean ok;
        synchronized (this) {
          if (e != null) {
            stats.failure(e);
            broken = true;
            ok = false;
          } else {
            ok = stats.record(r, s.expect()) == null;
            imageBad |= !ok;
          }
        }
        if (ok) {
          step(i + 1);
        } else {
          imageDone();
        }
      });
    }

    private void startLayers() {
      var next = new AtomicInteger();
      var remaining = new AtomicInteger(layers.size());
      if (layers.isEmpty()) {
        imageDone();
        return;
      }
      for (int k = 0; k < Math.min(connections.size(), layers.size()); k++) {
        fetchLayer(connections.get(k), next, remaining);
      }
    }

    private void fetchLayer(Connection c, AtomicInteger next, AtomicInteger remaining) {
      int idx = next.getAndIncrement();
      if (idx >= layers.size()) {
        return;
      }
      Step s = layers.get(idx);
      c.send(s.request()).whenComplete((r, e) -> {
        synchronized (this) {
          if (e != null) {
            stats.failure(e);
            broken = true;
            imageBad = true;
          } else {
            imageBad |= stats.record(r, s.expect()) != null;
          }
        }
        if (remaining.decrementAndGet() == 0) {
          imageDone();
        } else if (e == null) {
          fetchLayer(c, next, remaining);
        } else {
          // this connection is gone: hand its share of the layers to nobody, count them as done
          while (next.getAndIncrement() < layers.size()) {
            if (remaining.decrementAndGet() == 0) {
              imageDone();
              return;
            }
          }
        }
      });
    }

    private void imageDone() {
      synchronized (this) {
        long now = System.nanoTime();
        if (!imageBad) {
          images++;
          imageLatencies.recordNanos(now - imageStart);
        }
        lastImageEnd = now;
      }
      startImage();
    }
  }
}

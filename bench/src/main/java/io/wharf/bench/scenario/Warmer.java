package io.wharf.bench.scenario;

import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.http.Response;
import io.wharf.bench.measure.UpstreamLog;
import io.wharf.bench.registry.OciPaths;
import io.wharf.bench.seed.SeedBlob;
import io.wharf.bench.seed.SeedImage;
import io.wharf.bench.seed.SeedManifest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Gets every target ready for the warm scenarios: each proxy GETs every seeded blob and manifest
 * twice, then again until a GET by digest no longer reaches the upstream (its cache fill is done);
 * every other target GETs each once, which also proves it serves them all and warms the page cache.
 */
final class Warmer {

  static final String SCENARIO = "warm-up";
  private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(5);
  private static final int SETTLE_ATTEMPTS = 20;
  private static final int JIT_CLIENTS = 16;
  private static final Duration JIT_WARM_UP = Duration.ofMillis(700);

  /**
   * One thing to fetch.
   *
   * @param request the request
   * @param expect the right answer
   * @param digest the digest named in the path (blobs, manifests by digest), or null for a tag
   */
  record Fetch(Request request, Expect expect, @Nullable String digest) {}

  private Warmer() {}

  static void warm(RunContext ctx) throws IOException, InterruptedException {
    List<Fetch> fetches = fetches(ctx);
    for (Target t : ctx.servers()) {
      long t0 = System.nanoTime();
      try (Connection c = ctx.http().connect(t.url())) {
        for (Fetch f : fetches) {
          fetch(ctx, t, c, f);
          if (t.proxy()) {
            fetch(ctx, t, c, f);
            if (f.digest() != null && ctx.upstreamLog() != null) {
              settle(ctx, t, c, f, ctx.upstreamLog());
            }
          }
        }
      } catch (IOException e) {
        ctx.results().errors().add(SCENARIO, t.name(), "cannot warm " + t.url() + ": " + e.getMessage());
      }
      jitWarmUp(ctx, t);
      Progress.say(String.format("warm-up %s: %d fetches%s in %.1f s", t.name(), fetches.size(),
          t.proxy() ? " twice" : "", (System.nanoTime() - t0) / 1e9));
    }
  }

  /**
   * A short unmeasured manifest load, so that neither the generator's nor a JVM server's first
   * measurement runs in the interpreter.
   */
  private static void jitWarmUp(RunContext ctx, Target t) throws InterruptedException {
    SeedImage app = ctx.seed().app();
    Request head = Request.head(OciPaths.manifest(app.name(), app.tag())).withHeader("Accept", OciPaths.ACCEPT_ANY_MANIFEST);
    List<Connection> connections;
    try {
      connections = ctx.http().connect(t.url(), JIT_CLIENTS);
    } catch (IOException e) {
      ctx.results().errors().add(SCENARIO, t.name(), "cannot connect for the JIT warm-up: " + e.getMessage());
      return;
    }
    try {
      Loads.Outcome o = Loads.timed(connections, head, Expect.okHead(app.size()), JIT_WARM_UP);
      Errors.record(ctx, SCENARIO, t, o.stats());
    } finally {
      connections.forEach(Connection::close);
    }
  }

  /** GETs again until one completes without a request to the upstream for the digest. */
  private static void settle(RunContext ctx, Target t, Connection c, Fetch f, UpstreamLog log)
      throws IOException, InterruptedException {
    for (int attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
      long mark = log.mark();
      Response r = c.sendSync(f.request(), FETCH_TIMEOUT);
      Thread.sleep(200);
      boolean upstreamAsked = log.since(mark).stream().anyMatch(l -> l.mentions(f.digest()));
      if (f.expect().problem(r) == null && !upstreamAsked) {
        return;
      }
      Thread.sleep(500);
    }
    ctx.results().errors().add(SCENARIO, t.name(), f.request() + " still reaches the upstream after "
        + SETTLE_ATTEMPTS + " GETs: not cached");
  }

  private static void fetch(RunContext ctx, Target t, Connection c, Fetch f) throws IOException {
    Response r = c.sendSync(f.request(), FETCH_TIMEOUT);
    String problem = f.expect().problem(r);
    if (problem != null) {
      ctx.results().errors().add(SCENARIO, t.name(), f.request() + ": " + problem);
    }
  }

  static List<Fetch> fetches(RunContext ctx) {
    var list = new ArrayList<Fetch>();
    for (SeedImage image : ctx.seed().images()) {
      list.add(new Fetch(Request.get(OciPaths.manifest(image.name(), image.tag()))
          .withHeader("Accept", OciPaths.ACCEPT_ANY_MANIFEST), Expect.ok(image.size()), null));
      list.add(new Fetch(Request.head(OciPaths.manifest(image.name(), image.tag()))
          .withHeader("Accept", OciPaths.ACCEPT_ANY_MANIFEST), Expect.okHead(image.size()), null));
      list.add(manifestByDigest(image.name(), image.mediaType(), image.digest(), image.size()));
      if (image.isIndex()) {
        for (SeedManifest m : image.manifests()) {
          list.add(manifestByDigest(image.name(), m.mediaType(), m.digest(), m.size()));
        }
      }
      for (SeedBlob b : image.blobs()) {
        list.add(new Fetch(Request.get(OciPaths.blob(image.name(), b.digest())), Expect.ok(b.size()), b.digest()));
      }
    }
    return list;
  }

  private static Fetch manifestByDigest(String name, String mediaType, String digest, long size) {
    return new Fetch(Request.get(OciPaths.manifest(name, digest)).withHeader("Accept", OciPaths.acceptOnly(mediaType)),
        Expect.ok(size), digest);
  }
}

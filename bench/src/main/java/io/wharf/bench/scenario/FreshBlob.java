package io.wharf.bench.scenario;

import io.wharf.bench.content.SyntheticBlob;
import io.wharf.bench.measure.AccessLine;
import io.wharf.bench.measure.SendQueues;
import io.wharf.bench.measure.UpstreamLog;
import io.wharf.bench.registry.OciPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A random blob no cache has seen, pushed to the upstream's {@code bench/cold} for one cold
 * measurement and deleted afterwards, so a long run does not fill the upstream's disk.
 *
 * @param digest its digest
 * @param size its length
 */
record FreshBlob(String digest, long size) {

  /** The User-Agent of the generator's own direct GETs, left out of the upstream counts. */
  static final String DIRECT_AGENT = "wharf-bench-direct/1";

  static FreshBlob push(RunContext ctx, long size) throws IOException {
    SyntheticBlob blob = SyntheticBlob.fresh(size);
    String digest = blob.digest();
    ctx.upstreamRegistry().pushBlob(RunContext.COLD_REPOSITORY, digest, blob.body());
    return new FreshBlob(digest, size);
  }

  String path() {
    return OciPaths.blob(RunContext.COLD_REPOSITORY, digest);
  }

  /** Where the upstream's access log stands before a fetch; 0 when there is no log (nothing is counted). */
  static long upstreamMark(RunContext ctx) throws IOException {
    UpstreamLog log = ctx.upstreamLog();
    return log == null ? 0 : log.mark();
  }

  /**
   * What the upstream served for this blob since {@code mark}, leaving out the generator's direct
   * GETs, once the proxy's background traffic about it has ended: for a second the upstream log has
   * not grown and the upstream has had nothing in its send queues (a cache fill still downloading
   * shows there, not yet in the log). Null when there is no upstream log.
   */
  @Nullable UpstreamCount upstreamSince(RunContext ctx, long mark) throws IOException {
    UpstreamLog log = ctx.upstreamLog();
    if (log == null) {
      return null;
    }
    int port = ctx.upstream().getPort() == -1 ? 80 : ctx.upstream().getPort();
    log.awaitQuiet(Duration.ofSeconds(1), Duration.ofSeconds(120), () -> SendQueues.bytes(port) > 0);
    List<AccessLine> lines = log.since(mark).stream()
        .filter(l -> l.mentions(digest) && !l.userAgent().equals(DIRECT_AGENT)).toList();
    return new UpstreamCount(lines.stream().filter(AccessLine::isGet).count(),
        lines.stream().filter(AccessLine::isHead).count(),
        lines.stream().filter(AccessLine::isGet).mapToLong(AccessLine::bytes).sum());
  }

  /**
   * What the upstream served for one blob.
   *
   * @param gets GET requests
   * @param heads HEAD requests
   * @param bytes body bytes of the GETs
   */
  record UpstreamCount(long gets, long heads, long bytes) {
    /** Puts the upstream metrics every cold scenario reports (NaN without a count) into {@code values}. */
    static void record(Map<String, Double> values, @Nullable UpstreamCount up, long blobSize) {
      values.put("upstreamGets", up == null ? Double.NaN : (double) up.gets());
      values.put("upstreamHeads", up == null ? Double.NaN : (double) up.heads());
      values.put("upstreamBytesRatio", up == null ? Double.NaN : up.bytes() / (double) blobSize);
    }
  }

  /** DELETE on the upstream, and removal of its data files where the storage root is known. */
  void delete(RunContext ctx) {
    try {
      ctx.upstreamRegistry().deleteBlob(RunContext.COLD_REPOSITORY, digest);
    } catch (IOException e) {
      Progress.say("cannot delete " + digest + " from the upstream: " + e.getMessage());
    }
    Path root = ctx.upstreamStorage();
    if (root != null) {
      String hex = digest.substring("sha256:".length());
      deleteTree(root.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex));
      deleteTree(root.resolve("docker/registry/v2/repositories").resolve(RunContext.COLD_REPOSITORY)
          .resolve("_layers/sha256").resolve(hex));
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }
}

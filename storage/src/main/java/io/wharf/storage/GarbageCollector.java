package io.wharf.storage;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.PinRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes blobs that no manifest, tag or pin references, mark and sweep, while the registry serves.
 *
 * <p>Mark: every manifest of every repository (its own digest, its references and its subject),
 * every tag's digest, every pin's digest. An open upload session writes to its own file under
 * {@code _uploads}, not to a blob, and names its digest only when it completes, a commit the
 * {@link ReferenceGuard} covers, so there is nothing of it to mark. Sweep: every committed blob not
 * marked, committed before {@code grace} ago, not referenced by a commit since then, and not being
 * fetched ({@code inFlight}); see {@link BlobSweeper} for how a blob committed or referenced while
 * the run goes on survives it, and why deletion goes index first.
 *
 * <p>A manifest's own bytes are a blob too: they go only when the manifest has left every
 * repository. Thread-safe; runs one at a time with eviction.
 */
public final class GarbageCollector {
  private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

  private final Storage storage;
  private final Duration grace;
  private final Predicate<Digest> inFlight;

  /**
   * @param grace how old an unreferenced blob must be to go (the daemon's {@code storage.gcGrace})
   * @param inFlight blobs a pull-through fetch is writing right now
   */
  public GarbageCollector(Storage storage, Duration grace, Predicate<Digest> inFlight) {
    this.storage = requireNonNull(storage, "storage");
    this.grace = requireNonNull(grace, "grace");
    this.inFlight = requireNonNull(inFlight, "inFlight");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    storage.guard().retainAtLeast(grace);
  }

  public GcResult run(boolean dryRun) {
    return run(dryRun, Progress.NONE);
  }

  /** Marks, then sweeps (or, in a dry run, lists what a sweep would remove). */
  public GcResult run(boolean dryRun, Progress progress) {
    ReentrantLock sweeps = storage.guard().sweeps();
    sweeps.lock();
    try {
      long start = storage.guard().settledNow();
      long cutoff = start - grace.toMillis();
      progress.begin("mark", -1);
      Set<String> marked = mark(storage.index());
      Map<String, Long> candidates = new TreeMap<>();
      storage.index().scan(Column.BLOBS, "", null, (key, value) -> {
        if (!marked.contains(key)) {
          BlobRecord record = Records.decode(value, BlobRecord.class);
          if (storage.sweeper().sweepable(key, record, cutoff, inFlight)) {
            candidates.put(key, record.size());
          }
        }
        return true;
      });
      long total = candidates.values().stream().mapToLong(Long::longValue).sum();
      progress.begin(dryRun ? "unreferenced" : "sweep", total);
      GcResult result;
      if (dryRun) {
        candidates.values().forEach(progress::advance);
        result = new GcResult(candidates.keySet().stream().map(Digest::parse).toList(), total, true);
      } else {
        BlobSweeper sweeper = storage.sweeper();
        List<BlobSweeper.Removed> removed =
            sweeper.sweep(candidates.keySet(), cutoff, inFlight, sweeper.linkers(candidates.keySet()), r -> progress.advance(r.size()));
        List<Digest> digests = new ArrayList<>();
        long bytes = 0;
        for (BlobSweeper.Removed r : removed) {
          digests.add(r.digest());
          bytes += r.size();
        }
        result = new GcResult(digests, bytes, false);
      }
      log.atInfo().addKeyValue("blobs", result.removed().size()).addKeyValue("bytes", result.bytes())
          .addKeyValue("dryRun", dryRun).log("garbage collection done");
      return result;
    } finally {
      sweeps.unlock();
    }
  }

  /** Every digest something references: manifests, their references and subjects, tags, pins. */
  static Set<String> mark(Index index) {
    Set<String> marked = new HashSet<>();
    index.scan(Column.MANIFESTS, "", null, (key, value) -> {
      marked.add(Keys.last(key));
      ManifestRecord record = Records.decode(value, ManifestRecord.class);
      marked.addAll(record.references());
      if (record.subject() != null) {
        marked.add(record.subject());
      }
      return true;
    });
    index.scan(Column.TAGS, "", null, (key, value) -> {
      marked.add(Records.decode(value, TagRecord.class).digest());
      return true;
    });
    index.scan(Column.PINS, "", null, (key, value) -> {
      marked.add(Records.decode(value, PinRecord.class).digest());
      return true;
    });
    return marked;
  }
}

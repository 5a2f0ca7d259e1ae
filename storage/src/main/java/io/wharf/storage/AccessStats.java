package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.AccessRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.Records;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pull statistics of manifests (last pull, pull count), per repository and manifest digest.
 *
 * <p>Why in memory: {@link #record} runs on every manifest GET, on a Netty thread, so it only bumps
 * two atomics in a concurrent map; it never blocks and never touches RocksDB. {@link #flush()}
 * (scheduled by the daemon, and run by {@link Storage#close()}) merges the counts into column ACCESS
 * with an unsynced write: a crash loses at most the counts of one interval, and a read-only index
 * (full disk) never stops serving. A failed flush keeps its counts for the next one. A flush after
 * {@link Storage#close()} does nothing (the daemon's schedule may fire once more while closing).
 *
 * <p>A pull of a platform manifest is recorded under its own digest; {@link Images} attributes it to
 * the image whose closure holds it.
 */
public final class AccessStats {
  private static final Logger log = LoggerFactory.getLogger(AccessStats.class);

  private final Index index;
  private final Clock clock;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private boolean closed;

  AccessStats(Index index, Clock clock) {
    this.index = index;
    this.clock = clock;
  }

  /** Counts one pull of a manifest now. O(1), lock-free on the hot path. */
  public void record(RepositoryName repo, Digest manifest) {
    String key = Keys.inRepo(repo, manifest);
    long now = clock.millis();
    while (true) {
      Pending p = pending.get(key);
      if (p == null) {
        Pending fresh = new Pending();
        p = pending.putIfAbsent(key, fresh);
        if (p == null) {
          p = fresh;
        }
      }
      if (p.add(now)) {
        return;
      }
      // retired by a flush a moment ago: it has left the map, so the next loop makes a new one
      pending.remove(key, p);
    }
  }

  /**
   * Merges the counts gathered since the last flush into the index, unsynced. Never throws: an
   * index failure is logged and the counts wait for the next flush.
   *
   * @return how many manifests' statistics were written (0 after a failure)
   */
  public synchronized int flush() {
    if (closed) {
      return 0;
    }
    List<Drained> drained = new ArrayList<>();
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      long pulls = p.drain();
      if (pulls > 0) {
        drained.add(new Drained(e.getKey(), p, pulls, p.last.get()));
      } else if (pulls == 0 && p.retire()) {
        // idle since the last flush, which wrote all of it: drop it so the map stays small
        pending.remove(e.getKey(), p);
      }
    }
    IndexBatch batch = new IndexBatch();
    List<Drained> written = new ArrayList<>();
    for (Drained d : drained) {
      try {
        AccessRecord stored = index.get(Column.ACCESS, d.key(), AccessRecord.class).orElse(new AccessRecord(0, 0));
        batch.put(Column.ACCESS, d.key(), new AccessRecord(Math.max(stored.lastPull(), d.last()), stored.pulls() + d.pulls()));
        written.add(d);
      } catch (RuntimeException e) {
        giveBack(List.of(d), e);
      }
    }
    if (written.isEmpty()) {
      return 0;
    }
    try {
      index.writeUnsynced(batch);
      return written.size();
    } catch (RuntimeException e) {
      giveBack(written, e);
      return 0;
    }
  }

  /** Flushes one last time and refuses later flushes: the index is about to close. */
  synchronized void close() {
    flush();
    closed = true;
  }

  private static void giveBack(List<Drained> drained, RuntimeException e) {
    // the counts go back; the last pull time never left its counter
    drained.forEach(d -> d.from().count.addAndGet(d.pulls()));
    log.atWarn().addKeyValue("manifests", drained.size()).addKeyValue("error", e.getMessage())
        .log("cannot flush access statistics; keeping them for the next flush");
  }

  /** What the index holds for one manifest merged with the counts not flushed yet. */
  public AccessRecord find(RepositoryName repo, Digest manifest) {
    String key = Keys.inRepo(repo, manifest);
    AccessRecord stored = index.get(Column.ACCESS, key, AccessRecord.class).orElse(new AccessRecord(0, 0));
    Pending p = pending.get(key);
    return p == null ? stored : merge(stored, p);
  }

  /**
   * Every manifest's statistics (key: repo NUL digest) starting with {@code prefix}: the index's,
   * merged with what is not flushed yet.
   */
  Map<String, AccessRecord> snapshot(String prefix) {
    Map<String, AccessRecord> out = new HashMap<>();
    index.scan(Column.ACCESS, prefix, null, (key, value) -> {
      out.put(key, Records.decode(value, AccessRecord.class));
      return true;
    });
    pending.forEach((key, p) -> {
      if (key.startsWith(prefix)) {
        out.put(key, merge(out.getOrDefault(key, new AccessRecord(0, 0)), p));
      }
    });
    return out;
  }

  private static AccessRecord merge(AccessRecord stored, Pending p) {
    long n = Math.max(0, p.count.get());
    return new AccessRecord(Math.max(stored.lastPull(), p.last.get()), stored.pulls() + n);
  }

  private record Drained(String key, Pending from, long pulls, long last) {}

  /** Pulls of one manifest since the last flush. {@code count} -1 means retired (left the map). */
  private static final class Pending {
    final AtomicLong count = new AtomicLong();
    final AtomicLong last = new AtomicLong();

    boolean add(long now) {
      // the time first: a flush that drains this pull's count has then seen its time as well, or a
      // later one will
      last.accumulateAndGet(now, Math::max);
      long c;
      do {
        c = count.get();
        if (c < 0) {
          return false;
        }
      } while (!count.compareAndSet(c, c + 1));
      return true;
    }

    /** Takes the pulls counted so far; -1 when retired. */
    long drain() {
      long c;
      do {
        c = count.get();
        if (c <= 0) {
          return c;
        }
      } while (!count.compareAndSet(c, 0));
      return c;
    }

    boolean retire() {
      return count.compareAndSet(0, -1);
    }
  }
}

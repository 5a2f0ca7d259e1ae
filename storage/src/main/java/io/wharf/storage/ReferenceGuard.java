package io.wharf.storage;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * What commits that reference stored content share with the sweeps (GC, eviction) that delete
 * content nothing references, so that a sweep running while the registry serves never deletes a
 * blob that a commit has just come to reference.
 *
 * <p>Why a lock and a clock: a sweep decides from a snapshot, and a commit decides from what it
 * sees ("this blob is committed, link it" / "this manifest's blobs are here"). Each commit that may
 * name existing content holds the shared side of a read-write lock from its check to its index
 * write, and first notes now as the time each digest it names was last referenced. A sweep takes
 * the exclusive side to fix its start (every commit that began before it has landed, so its scan
 * sees it), and again for each batch it deletes, skipping a digest referenced at or after its
 * cutoff. Serving (reads) never takes the lock; commits wait only while a batch is deleted.
 *
 * <p>Reference times are kept for at least the longest GC grace asked for (one hour by default),
 * so a layer linked again into a repository by a push that has not sent its manifest yet is kept
 * like a newly committed one. They are memory only: a restart forgets them, and the blobs' commit
 * times (BlobRecord.createdAt) still hold.
 */
final class ReferenceGuard {
  private static final long DEFAULT_RETENTION = Duration.ofHours(1).toMillis();
  private static final int PRUNE_ABOVE = 20_000;

  private final Clock clock;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ReentrantLock sweeps = new ReentrantLock();
  private final ConcurrentHashMap<String, Long> referencedAt = new ConcurrentHashMap<>();
  private volatile long retention = DEFAULT_RETENTION;
  private volatile int nextPrune = PRUNE_ABOVE;
  private volatile long lastPrune = Long.MIN_VALUE / 2;

  ReferenceGuard(Clock clock) {
    this.clock = clock;
  }

  /**
   * Enters a commit that may reference these digests (alg:hex); the caller checks and commits, then
   * unlocks the returned lock in a finally block.
   */
  Lock referencing(Collection<String> digests) {
    Lock shared = lock.readLock();
    shared.lock();
    long now = clock.millis();
    for (String d : digests) {
      referencedAt.merge(d, now, Math::max);
    }
    int size = referencedAt.size();
    if (size > nextPrune || (size > PRUNE_ABOVE && now - lastPrune > retention)) {
      prune(now);
    }
    return shared;
  }

  /** When a digest was last referenced by a commit, or {@link Long#MIN_VALUE} when not lately. */
  long referencedAt(String digest) {
    return referencedAt.getOrDefault(digest, Long.MIN_VALUE);
  }

  /** Runs a step of a sweep with no referencing commit in progress. */
  <T> T exclusively(Supplier<T> step) {
    Lock exclusive = lock.writeLock();
    exclusive.lock();
    try {
      return step.get();
    } finally {
      exclusive.unlock();
    }
  }

  /** Now, once every commit that entered before has landed: where a sweep's snapshot begins. */
  long settledNow() {
    return exclusively(clock::millis);
  }

  /** The lock that lets one sweep (GC or an eviction pass) run at a time. */
  ReentrantLock sweeps() {
    return sweeps;
  }

  /** Keeps reference times at least this long (a GC's grace). */
  synchronized void retainAtLeast(Duration d) {
    retention = Math.max(retention, d.toMillis());
  }

  private synchronized void prune(long now) {
    if (referencedAt.size() <= PRUNE_ABOVE || (referencedAt.size() <= nextPrune && now - lastPrune <= retention)) {
      return;
    }
    lastPrune = now;
    long oldest = now - retention;
    referencedAt.values().removeIf(t -> t < oldest);
    // when more than the threshold are recent, wait for twice as many (or one retention) before
    // the next walk, so that a busy hour does not walk the map on every commit
    nextPrune = Math.max(PRUNE_ABOVE, referencedAt.size() * 2);
  }
}

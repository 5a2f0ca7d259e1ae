package io.wharf.storage;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps usage under the quota: when it is past the high-water mark, evicts whole images, least
 * recently pulled first (one never pulled by when it was cached), never a pinned one and never one
 * of a repository {@code keep} protects (the daemon's "its upstream is unreachable right now": it
 * could not be fetched again), until usage is at or below the low-water mark.
 *
 * <p>Evicting an image: one journaled commit in its repository (under the repository's lock, after
 * checking again that it is still an image nobody pinned or re-cached since the pass began) deletes
 * its tags, its manifests (a platform manifest another image of the repository shares stays), and
 * the layer links no remaining manifest of the repository references; then the blobs nothing
 * references any more go the way GC sweeps them ({@link BlobSweeper}: index first, skipping what a
 * commit referenced since the pass began and what a fetch is writing). A blob a kept image shares
 * stays. A pull racing the eviction either finds the manifest and every blob, or a clean miss (a
 * pull-through then fetches again): the index never names a manifest whose bytes are gone.
 *
 * <p>Runs on a background thread while the registry serves; one pass (or GC) at a time.
 */
public final class Eviction {
  private static final Logger log = LoggerFactory.getLogger(Eviction.class);

  private final Storage storage;
  private final QuotaPolicy policy;
  private final Predicate<RepositoryName> keep;
  private final Predicate<Digest> inFlight;

  public Eviction(Storage storage, QuotaPolicy policy, Predicate<RepositoryName> keep) {
    this(storage, policy, keep, d -> false);
  }

  /**
   * @param keep repositories whose images must stay this pass
   * @param inFlight blobs a pull-through fetch is writing right now
   */
  public Eviction(Storage storage, QuotaPolicy policy, Predicate<RepositoryName> keep, Predicate<Digest> inFlight) {
    this.storage = requireNonNull(storage, "storage");
    this.policy = requireNonNull(policy, "policy");
    this.keep = requireNonNull(keep, "keep");
    this.inFlight = requireNonNull(inFlight, "inFlight");
  }

  public QuotaPolicy policy() {
    return policy;
  }

  /**
   * Evicts when usage is past the high-water mark; otherwise only measures. Blobs no manifest
   * references are GC's to remove (a push in progress uploads its layers before its manifest, so
   * only a GC grace period can tell them from garbage): run GC before a pass when garbage matters.
   */
  public EvictionResult runIfNeeded() {
    long usedBefore = storage.usedBytes();
    if (usedBefore <= policy.highMark()) {
      return new EvictionResult(List.of(), 0, usedBefore, usedBefore);
    }
    ReentrantLock sweeps = storage.guard().sweeps();
    sweeps.lock();
    try {
      // a pass or a GC that held the lock meanwhile may have done the work already
      long used = storage.usedBytes();
      return used <= policy.highMark() ? new EvictionResult(List.of(), 0, used, used) : evict(used);
    } finally {
      sweeps.unlock();
    }
  }

  private EvictionResult evict(long usedBefore) {
    long passStart = storage.guard().settledNow();
    Index index = storage.index();
    ContentGraph graph = ContentGraph.load(index, null);
    Map<String, Long> sizes = storage.blobs().sizes();
    List<Images.Image> candidates = new ArrayList<>();
    for (Images.Image image : storage.images().all(graph, sizes)) {
      if (!image.summary().pinned() && !keep.test(image.summary().repo())) {
        candidates.add(image);
      }
    }
    candidates.sort(Comparator.comparingLong(Images.Image::lastUsed)
        .thenComparing(i -> i.summary().repo())
        .thenComparing(i -> i.summary().digest()));
    Map<String, Integer> holders = holders(graph);
    Set<String> reachable = new HashSet<>();
    candidates.forEach(i -> reachable.addAll(i.closure()));
    BlobSweeper sweeper = storage.sweeper();
    BlobSweeper.Linkers linkers = sweeper.linkers(reachable);

    long used = usedBefore;
    long freed = 0;
    List<ImageSummary> evicted = new ArrayList<>();
    for (Images.Image image : candidates) {
      if (used <= policy.lowMark()) {
        break;
      }
      Map<String, ManifestRecord> removed = removeFromRepository(image.summary().repo(), image.summary().digest().toString(), passStart);
      if (removed == null) {
        continue;
      }
      List<String> unheld = new ArrayList<>();
      removed.forEach((digest, record) -> {
        for (String d : named(digest, record)) {
          if (holders.merge(d, -1, Integer::sum) <= 0 && sizes.containsKey(d)) {
            unheld.add(d);
          }
        }
      });
      long bytes = 0;
      for (BlobSweeper.Removed r : sweeper.sweep(unheld, passStart, inFlight, linkers, r -> {})) {
        bytes += r.size();
      }
      used -= bytes;
      freed += bytes;
      evicted.add(image.summary());
    }
    long usedAfter = storage.usedBytes();
    if (usedAfter > policy.lowMark()) {
      log.atWarn().addKeyValue("used", usedAfter).addKeyValue("lowMark", policy.lowMark())
          .addKeyValue("evicted", evicted.size())
          .log("eviction cannot reach the low-water mark: what is left is pinned, kept or in use");
    }
    log.atInfo().addKeyValue("images", evicted.size()).addKeyValue("bytesFreed", freed)
        .addKeyValue("usedBefore", usedBefore).addKeyValue("usedAfter", usedAfter).log("eviction pass done");
    return new EvictionResult(evicted, freed, usedBefore, usedAfter);
  }

  /** How many manifest records of any repository name each digest (itself, references, subject). */
  private static Map<String, Integer> holders(ContentGraph graph) {
    Map<String, Integer> holders = new HashMap<>();
    for (var repo : graph.all()) {
      repo.getValue().forEach((digest, record) -> named(digest, record).forEach(d -> holders.merge(d, 1, Integer::sum)));
    }
    return holders;
  }

  /** What one manifest keeps alive: its own bytes, what it references, its subject; each once. */
  private static Set<String> named(String digest, ManifestRecord record) {
    Set<String> out = new HashSet<>(record.references());
    out.add(digest);
    if (record.subject() != null) {
      out.add(record.subject());
    }
    return out;
  }

  /**
   * Deletes an image from its repository in one journaled commit, after checking the repository's
   * current state under its lock.
   *
   * @return the manifests removed, or null when the image must stay after all (re-cached or
   *     referenced since the pass began, pinned meanwhile, or gone)
   */
  private @Nullable Map<String, ManifestRecord> removeFromRepository(RepositoryName repo, String root, long passStart) {
    Index index = storage.index();
    ReentrantLock lock = storage.locks().of(repo);
    lock.lock();
    try {
      Map<String, ManifestRecord> current = new TreeMap<>();
      index.scan(Column.MANIFESTS, Keys.repoPrefix(repo), null, (key, value) -> {
        current.put(Keys.last(key), Records.decode(value, ManifestRecord.class));
        return true;
      });
      if (!current.containsKey(root) || storage.guard().referencedAt(root) >= passStart) {
        return null;
      }
      Set<String> removing = reach(current, List.of(root));
      Set<String> others = new HashSet<>(current.keySet());
      others.removeAll(removing);
      Set<String> stay = new HashSet<>();
      for (String o : others) {
        stay.addAll(current.get(o).references());
      }
      if (stay.contains(root)) {
        return null; // an index put since the snapshot made it a platform manifest of another image
      }
      // a platform manifest another image shares stays, with what it reaches
      removing.removeAll(reach(current, new ArrayList<>(stay)));
      Map<String, String> tags = new TreeMap<>();
      index.scan(Column.TAGS, Keys.repoPrefix(repo), null, (key, value) -> {
        tags.put(Keys.last(key), Records.decode(value, TagRecord.class).digest());
        return true;
      });
      for (Pin pin : storage.pins().list()) {
        if (pin.repo().equals(repo)) {
          String named = pin.reference().isDigest() ? pin.reference().digest().toString() : tags.get(pin.reference().tag().value());
          if (removing.contains(pin.digest().toString()) || (named != null && removing.contains(named))) {
            return null;
          }
        }
      }
      Map<String, ManifestRecord> removed = new LinkedHashMap<>();
      Commit commit = new Commit(storage.layout());
      for (String m : removing) {
        ManifestRecord record = current.get(m);
        removed.put(m, record);
        Digest digest = Digest.parse(m);
        commit.deleteTree(storage.layout().revisionLinkDir(repo, digest))
            .delete(Column.MANIFESTS, Keys.inRepo(repo, digest))
            .delete(Column.ACCESS, Keys.inRepo(repo, digest));
        if (record.subject() != null) {
          commit.delete(Column.REFERRERS, Keys.of(repo.value(), record.subject(), m));
        }
      }
      tags.forEach((tag, digest) -> {
        if (removing.contains(digest)) {
          commit.deleteTree(storage.layout().tagDir(repo, new Tag(tag))).delete(Column.TAGS, Keys.inRepo(repo, tag));
        }
      });
      Set<String> stillLinked = new HashSet<>();
      for (String o : current.keySet()) {
        if (!removing.contains(o)) {
          stillLinked.addAll(current.get(o).references());
        }
      }
      Set<String> links = new HashSet<>();
      removed.values().forEach(r -> links.addAll(r.references()));
      links.removeAll(removing);
      links.removeAll(stillLinked);
      for (String b : links) {
        Digest digest = Digest.parse(b);
        if (index.contains(Column.LAYERS, Keys.inRepo(repo, digest))) {
          commit.deleteTree(storage.layout().layerLinkDir(repo, digest)).delete(Column.LAYERS, Keys.inRepo(repo, digest));
        }
      }
      storage.journal().run(commit, CrashPoint.MANIFEST);
      return removed;
    } finally {
      lock.unlock();
    }
  }

  /** The manifests of a repository reachable from these, themselves included. */
  private static Set<String> reach(Map<String, ManifestRecord> manifests, List<String> from) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(from);
    while (!todo.isEmpty()) {
      String d = todo.poll();
      ManifestRecord r = manifests.get(d);
      if (r != null && seen.add(d)) {
        todo.addAll(r.references());
      }
    }
    return seen;
  }
}

package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.layout.Layout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Deletes blobs that nothing references: their layer links in every repository, their BLOBS
 * entry and their file. The sweep half of GC and of eviction.
 *
 * <p>Candidates come from a snapshot; each is checked again while the {@link ReferenceGuard} is
 * held exclusively, and kept when a commit referenced it at or after the sweep's cutoff, when it was
 * committed at or after it, when a fetch is writing it ({@code inFlight}) or when a pin names it.
 * Deletion runs index first ({@link Journal#runIndexFirst}): a reader that finds the blob in the
 * index finds its file, and a crash half-way is rolled forward at start-up.
 */
final class BlobSweeper {
  /** Blobs deleted per hold of the guard: commits wait at most for one batch. */
  private static final int BATCH = 64;

  /** A deleted blob and its size. */
  record Removed(Digest digest, long size) {}

  /** The repositories that link each of the digests a LAYERS scan looked for. */
  record Linkers(Set<String> scanned, Map<String, List<RepositoryName>> repos) {}

  private final Layout layout;
  private final Index index;
  private final Journal journal;
  private final ReferenceGuard guard;
  private final Pins pins;

  BlobSweeper(Layout layout, Index index, Journal journal, ReferenceGuard guard, Pins pins) {
    this.layout = layout;
    this.index = index;
    this.journal = journal;
    this.guard = guard;
    this.pins = pins;
  }

  /** Every repository that links each candidate: one scan of column LAYERS. */
  Linkers linkers(Set<String> candidates) {
    Map<String, List<RepositoryName>> out = new HashMap<>();
    index.scan(Column.LAYERS, "", null, (key, value) -> {
      String digest = Keys.last(key);
      if (candidates.contains(digest)) {
        out.computeIfAbsent(digest, d -> new ArrayList<>()).add(RepositoryName.parse(key.substring(0, key.indexOf(Keys.SEP))));
      }
      return true;
    });
    return new Linkers(Set.copyOf(candidates), out);
  }

  /** Whether a candidate may go now, as far as can be told without the guard held. */
  boolean sweepable(String digest, BlobRecord record, long cutoff, Predicate<Digest> inFlight) {
    return record.createdAt() < cutoff && guard.referencedAt(digest) < cutoff && !inFlight.test(Digest.parse(digest));
  }

  /**
   * Deletes the candidates that are still unreferenced.
   *
   * @param cutoff epoch millis: a blob committed or referenced at or after it stays
   * @param linkers from {@link #linkers}, read after the sweep's snapshot (a later link is a
   *     reference, so it keeps the blob); a candidate it did not look for is looked up
   * @param removed receives each blob as it goes (for progress)
   */
  List<Removed> sweep(
      Collection<String> candidates, long cutoff, Predicate<Digest> inFlight, Linkers linkers, Consumer<Removed> removed) {
    List<String> todo = new ArrayList<>(candidates);
    List<Removed> out = new ArrayList<>();
    for (int from = 0; from < todo.size(); from += BATCH) {
      List<String> batch = todo.subList(from, Math.min(todo.size(), from + BATCH));
      List<Removed> gone = guard.exclusively(() -> deleteBatch(batch, cutoff, inFlight, linkers));
      gone.forEach(removed);
      out.addAll(gone);
    }
    return out;
  }

  private List<Removed> deleteBatch(List<String> batch, long cutoff, Predicate<Digest> inFlight, Linkers linkers) {
    Set<String> pinned = new HashSet<>();
    pins.list().forEach(p -> pinned.add(p.digest().toString()));
    Commit commit = new Commit(layout);
    List<Removed> gone = new ArrayList<>();
    for (String d : batch) {
      Optional<BlobRecord> record = index.get(Column.BLOBS, d, BlobRecord.class);
      if (record.isEmpty() || pinned.contains(d) || !sweepable(d, record.get(), cutoff, inFlight)) {
        continue;
      }
      Digest digest = Digest.parse(d);
      // a digest the scan did not look for (a manifest that changed since the snapshot named it) is
      // looked for now: a layer link must never outlive its blob
      List<RepositoryName> repos = linkers.scanned().contains(d)
          ? linkers.repos().getOrDefault(d, List.of())
          : linkers(Set.of(d)).repos().getOrDefault(d, List.of());
      for (RepositoryName repo : repos) {
        commit.deleteTree(layout.layerLinkDir(repo, digest)).delete(Column.LAYERS, Keys.inRepo(repo, digest));
      }
      commit.deleteTree(layout.blobData(digest).getParent()).delete(Column.BLOBS, d);
      gone.add(new Removed(digest, record.get().size()));
    }
    if (!gone.isEmpty()) {
      journal.runIndexFirst(commit);
    }
    return gone;
  }
}

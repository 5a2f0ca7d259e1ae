package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.AccessRecord;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * The images of the registry, with their size, pull statistics and pins: what {@code wharf ls}
 * lists and what eviction ranks.
 *
 * <p>Thread-safe; every call reads a fresh snapshot of the index (see {@link ContentGraph}).
 */
public final class Images {
  /** One image with what eviction needs beyond its summary. */
  record Image(ImageSummary summary, Set<String> manifests, Set<String> closure, long createdAt) {
    /** When it was last used: its last pull, or its creation when it was never pulled. */
    long lastUsed() {
      return summary.lastPull() > 0 ? summary.lastPull() : createdAt;
    }
  }

  private final Index index;
  private final BlobStore blobs;
  private final Pins pins;
  private final AccessStats access;

  Images(Index index, BlobStore blobs, Pins pins, AccessStats access) {
    this.index = index;
    this.blobs = blobs;
    this.pins = pins;
    this.access = access;
  }

  /** Every image of every repository, ordered by repository then digest. */
  public List<ImageSummary> list() {
    return all(ContentGraph.load(index, null), blobs.sizes()).stream().map(Image::summary).toList();
  }

  /**
   * The image a reference names: the image whose root it is, or, for a platform manifest, the image
   * whose closure holds it.
   */
  public Optional<ImageSummary> find(RepositoryName repo, ManifestReference reference) {
    ContentGraph graph = ContentGraph.load(index, repo);
    String digest = reference.isDigest() ? reference.digest().toString() : graph.tagsOf(repo).get(reference.tag().value());
    if (digest == null || !graph.manifestsOf(repo).containsKey(digest)) {
      return Optional.empty();
    }
    Map<String, Long> sizes = new HashMap<>();
    ToLongFunction<String> sizeOf = d -> sizes.computeIfAbsent(d, k -> blobs.find(Digest.parse(k)).map(BlobInfo::size).orElse(0L));
    List<Image> images = of(graph, repo, sizeOf, access.snapshot(Keys.repoPrefix(repo)), pinsOf(repo));
    return images.stream().filter(i -> i.summary().digest().toString().equals(digest)).findFirst()
        .or(() -> images.stream().filter(i -> i.manifests().contains(digest)).findFirst())
        .map(Image::summary);
  }

  /** Every image of a snapshot, with closures, for eviction. */
  List<Image> all(ContentGraph graph, Map<String, Long> blobSizes) {
    Map<String, AccessRecord> stats = access.snapshot("");
    Map<RepositoryName, List<Pin>> pinsByRepo = new HashMap<>();
    pins.list().forEach(p -> pinsByRepo.computeIfAbsent(p.repo(), r -> new ArrayList<>()).add(p));
    ToLongFunction<String> sizeOf = d -> blobSizes.getOrDefault(d, 0L);
    List<Image> out = new ArrayList<>();
    for (RepositoryName repo : graph.repositories()) {
      out.addAll(of(graph, repo, sizeOf, stats, pinsByRepo.getOrDefault(repo, List.of())));
    }
    return out;
  }

  private List<Pin> pinsOf(RepositoryName repo) {
    return pins.list().stream().filter(p -> p.repo().equals(repo)).toList();
  }

  private static List<Image> of(
      ContentGraph graph, RepositoryName repo, ToLongFunction<String> sizeOf, Map<String, AccessRecord> stats, List<Pin> pins) {
    Map<String, ManifestRecord> manifests = graph.manifestsOf(repo);
    Map<String, String> tags = graph.tagsOf(repo);
    List<Image> out = new ArrayList<>();
    for (String root : graph.roots(repo)) {
      Set<String> own = graph.closureManifests(repo, root);
      Set<String> closure = graph.closure(repo, root);
      long size = 0;
      for (String d : closure) {
        long s = sizeOf.applyAsLong(d);
        // a manifest's bytes are a blob too; its record knows the size should the blob be missing
        size += s > 0 || !manifests.containsKey(d) ? s : manifests.get(d).size();
      }
      long lastPull = 0;
      long pulls = 0;
      for (String m : own) {
        AccessRecord a = stats.get(Keys.inRepo(repo, m));
        if (a != null) {
          lastPull = Math.max(lastPull, a.lastPull());
          pulls = Math.max(pulls, a.pulls());
        }
      }
      boolean pinned = false;
      for (Pin pin : pins) {
        String named = pin.reference().isDigest() ? pin.reference().digest().toString() : tags.get(pin.reference().tag().value());
        pinned |= own.contains(pin.digest().toString()) || (named != null && own.contains(named));
      }
      ManifestRecord record = manifests.get(root);
      ImageSummary summary = new ImageSummary(
          repo, Digest.parse(root), graph.tagsPointingAt(repo, Set.of(root)), record.mediaType(), size, lastPull, pulls, pinned);
      out.add(new Image(summary, own, closure, record.createdAt()));
    }
    return out;
  }
}

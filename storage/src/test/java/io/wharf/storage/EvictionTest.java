package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.index;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class EvictionTest {
  private static final int LAYER = 10_000;

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Random random = new Random(17);
  private Storage storage;

  @BeforeEach
  void open() {
    storage = Storage.open(data, clock);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  /** An image of its own repository, tagged "1": a config and one layer of its own, plus shared ones. */
  private Pushed cache(String name, BlobInfo... shared) {
    RepositoryName repo = repo("docker.io/library/" + name);
    List<BlobInfo> blobs = new ArrayList<>();
    blobs.add(upload(storage, repo, bytes(random, 100)));
    blobs.add(upload(storage, repo, bytes(random, LAYER)));
    for (BlobInfo b : shared) {
      blobs.add(storage.blobs().link(repo, b.digest()).orElseThrow());
    }
    Pushed m = image(blobs, null, null);
    m.put(storage, repo, tag("1"));
    clock.advance(Duration.ofMinutes(1));
    return m;
  }

  private static RepositoryName repoOf(String name) {
    return repo("docker.io/library/" + name);
  }

  private void pull(String name, Pushed m) {
    storage.access().record(repoOf(name), m.digest());
    clock.advance(Duration.ofMinutes(1));
  }

  /** A policy whose low mark needs {@code fraction} of the current usage evicted; the high mark is passed. */
  private QuotaPolicy needing(double fraction) {
    long used = storage.usedBytes();
    return QuotaPolicy.of((long) (used * (1 - fraction) / 0.8));
  }

  private void assertWhole(String name, Pushed m) {
    RepositoryName repo = repoOf(name);
    assertThat(storage.manifests().find(repo, m.digest())).as(name).isPresent();
    assertThat(storage.tags().find(repo, tag("1")).orElseThrow().digest()).isEqualTo(m.digest().toString());
    for (Descriptor d : m.manifest().blobs()) {
      BlobInfo blob = storage.blobs().findIn(repo, d.digest()).orElseThrow();
      assertThat(blob.path()).hasSize(d.size());
    }
  }

  private void assertGone(String name, Pushed m) {
    RepositoryName repo = repoOf(name);
    assertThat(storage.manifests().find(repo, m.digest())).as(name).isEmpty();
    assertThat(storage.tags().find(repo, tag("1"))).isEmpty();
    assertThat(storage.layout().revisionLinkDir(repo, m.digest())).doesNotExist();
    assertThat(storage.layout().tagDir(repo, tag("1"))).doesNotExist();
    assertThat(storage.index().get(Column.ACCESS, Keys.inRepo(repo, m.digest()))).isEmpty();
    for (Descriptor d : m.manifest().blobs()) {
      assertThat(storage.blobs().findIn(repo, d.digest())).isEmpty();
    }
  }

  @Test
  void evictsLeastRecentlyPulledImagesFirstDownToTheLowMark() {
    Pushed a = cache("a");
    Pushed b = cache("b");
    Pushed c = cache("c");
    Pushed d = cache("d");
    Pushed e = cache("e");
    pull("c", c);
    pull("a", a);
    storage.access().flush(); // some statistics in the index, some still in memory
    pull("e", e);
    // never pulled: b and d rank by when they were cached, before every pull
    QuotaPolicy policy = needing(0.3);
    long usedBefore = storage.usedBytes();
    assertThat(usedBefore).isGreaterThan(policy.highMark());

    EvictionResult result = new Eviction(storage, policy, r -> false).runIfNeeded();

    assertThat(result.evicted()).extracting(ImageSummary::digest).containsExactly(b.digest(), d.digest());
    assertThat(result.usedBefore()).isEqualTo(usedBefore);
    assertThat(result.usedAfter()).isEqualTo(storage.usedBytes()).isEqualTo(usedBefore - result.bytesFreed());
    assertThat(result.usedAfter()).isLessThanOrEqualTo(policy.lowMark());
    // it stopped as soon as it could: one image fewer would have left usage above the low mark
    assertThat(result.usedAfter() + result.evicted().get(1).size()).isGreaterThan(policy.lowMark());
    assertThat(result.bytesFreed()).isEqualTo(result.evicted().stream().mapToLong(ImageSummary::size).sum());
    assertGone("b", b);
    assertGone("d", d);
    assertWhole("c", c);
    assertWhole("a", a);
    assertWhole("e", e);
    assertThat(StorageConsistency.differences(storage)).isEmpty();

    // below the high mark now: the next pass does nothing
    EvictionResult again = new Eviction(storage, policy, r -> false).runIfNeeded();
    assertThat(again.evicted()).isEmpty();
    assertThat(again.usedAfter()).isEqualTo(result.usedAfter());
  }

  @Test
  void pinnedImagesAndKeptRepositoriesStay() {
    Pushed a = cache("a");
    Pushed b = cache("b");
    Pushed c = cache("c");
    Pushed d = cache("d");
    storage.pins().pin(repoOf("a"), ManifestReference.of(tag("1")), a.digest(), "import");
    storage.pins().pin(repoOf("b"), ManifestReference.of(b.digest()), b.digest(), "cli");
    QuotaPolicy policy = needing(0.6);

    EvictionResult result = new Eviction(storage, policy, r -> r.equals(repoOf("c"))).runIfNeeded();

    // only d may go; the low mark is out of reach and the pass says so by where it ends
    assertThat(result.evicted()).extracting(ImageSummary::digest).containsExactly(d.digest());
    assertThat(result.usedAfter()).isGreaterThan(policy.lowMark());
    assertWhole("a", a);
    assertWhole("b", b);
    assertWhole("c", c);
    assertGone("d", d);
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void aLayerSharedWithAKeptImageStays() {
    BlobInfo base = upload(storage, repoOf("base"), bytes(random, 3 * LAYER));
    Pushed old = cache("old", base);
    Pushed kept = cache("kept", base);
    pull("kept", kept);
    long used = storage.usedBytes();
    // evicting old alone frees its own blobs and manifest, never the shared base layer
    long ownOfOld = 100 + LAYER + old.body().length;
    QuotaPolicy policy = needing(0.9 * ownOfOld / used);

    EvictionResult result = new Eviction(storage, policy, r -> false).runIfNeeded();

    assertThat(result.evicted()).extracting(ImageSummary::digest).containsExactly(old.digest());
    assertThat(result.bytesFreed()).isEqualTo(ownOfOld);
    assertGone("old", old);
    assertWhole("kept", kept);
    assertThat(storage.blobs().find(base.digest())).isPresent();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void aMultiPlatformImageGoesWhole() {
    RepositoryName repo = repoOf("multi");
    List<Pushed> platforms = new ArrayList<>();
    BlobInfo sharedConfig = upload(storage, repo, bytes(random, 100));
    for (int i = 0; i < 2; i++) {
      Pushed p = image(List.of(sharedConfig, upload(storage, repo, bytes(random, LAYER))), null, null);
      p.put(storage, repo, null);
      platforms.add(p);
    }
    Pushed idx = index(platforms);
    idx.put(storage, repo, tag("1"));
    storage.access().record(repo, platforms.get(0).digest());
    storage.access().flush();
    clock.advance(Duration.ofMinutes(1));
    Pushed recent = cache("recent");
    pull("recent", recent);

    EvictionResult result = new Eviction(storage, needing(0.5), r -> false).runIfNeeded();

    assertThat(result.evicted()).extracting(ImageSummary::digest).containsExactly(idx.digest());
    for (Pushed m : List.of(idx, platforms.get(0), platforms.get(1))) {
      assertThat(storage.manifests().contains(repo, m.digest())).isFalse();
      assertThat(storage.blobs().find(m.digest())).isEmpty();
      assertThat(storage.index().get(Column.ACCESS, Keys.inRepo(repo, m.digest()))).isEmpty();
      for (Descriptor d : m.manifest().blobs()) {
        assertThat(storage.blobs().find(d.digest())).isEmpty();
        assertThat(storage.layout().blobData(d.digest())).doesNotExist();
      }
    }
    assertThat(storage.tags().find(repo, tag("1"))).isEmpty();
    assertThat(storage.index().keys(Column.LAYERS, Keys.repoPrefix(repo))).isEmpty();
    assertWhole("recent", recent);
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  @Test
  void anImageCachedAgainSinceThePassBeganStays() {
    Pushed a = cache("a");
    Pushed b = cache("b");
    pull("b", b);
    QuotaPolicy policy = needing(0.4);
    // a pull-through stores a again as the pass begins (the test clock stands still, so the commit
    // and the pass's start share a millisecond): a is in use, and b goes in its place
    a.put(storage, repoOf("a"), tag("1"));

    EvictionResult result = new Eviction(storage, policy, r -> false).runIfNeeded();

    assertThat(result.evicted()).extracting(ImageSummary::digest).containsExactly(b.digest());
    assertWhole("a", a);
  }

  /**
   * Eviction on a background thread while readers pull every image: a reader finds each manifest
   * with its bytes, or none; whenever a blob's file is gone the index no longer names it.
   */
  @Test
  void readersRacingAnEvictionNeverSeeAnIndexEntryWithoutItsFile() throws Exception {
    List<Pushed> images = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      images.add(cache("r" + i));
    }
    QuotaPolicy policy = needing(0.7);
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread reader = new Thread(() -> {
        while (!done.get()) {
          for (int i = 0; i < images.size(); i++) {
            RepositoryName repo = repoOf("r" + i);
            storage.tags().find(repo, tag("1")).ifPresent(t1 -> {
              Digest digest = Digest.parse(t1.digest());
              storage.manifests().find(repo, digest).ifPresent(entry -> storage.access().record(repo, digest));
            });
            for (Descriptor d : images.get(i).manifest().blobs()) {
              Path file = storage.layout().blobData(d.digest());
              if (!Files.exists(file) && storage.blobs().find(d.digest()).isPresent()) {
                violations.add("indexed without its file: " + d.digest());
              }
            }
          }
        }
      });
      reader.start();
      readers.add(reader);
    }
    EvictionResult result;
    try {
      result = new Eviction(storage, policy, r -> false).runIfNeeded();
    } finally {
      done.set(true);
      for (Thread r : readers) {
        r.join();
      }
    }
    assertThat(violations).isEmpty();
    assertThat(result.evicted()).isNotEmpty();
    assertThat(result.usedAfter()).isLessThanOrEqualTo(policy.lowMark());
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }
}

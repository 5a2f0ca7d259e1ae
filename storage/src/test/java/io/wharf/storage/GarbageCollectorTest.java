package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.index;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.Column;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class GarbageCollectorTest {
  private static final RepositoryName APP = repo("docker.io/library/app");
  private static final RepositoryName TOOLS = repo("team/tools");
  private static final Duration GRACE = Duration.ofHours(1);

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Random random = new Random(11);
  private Storage storage;

  @BeforeEach
  void open() {
    storage = Storage.open(data, clock);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private BlobInfo blob(RepositoryName repo, int size) {
    return upload(storage, repo, bytes(random, size));
  }

  private Pushed imageOf(RepositoryName repo, BlobInfo... blobs) {
    Pushed m = image(List.of(blobs), null, null);
    m.put(storage, repo, null);
    return m;
  }

  private Set<Digest> committed() {
    Set<Digest> out = new HashSet<>();
    storage.index().keys(Column.BLOBS, "").forEach(k -> out.add(Digest.parse(k)));
    return out;
  }

  /** Content of every kind that GC must keep, and the garbage it must remove: exactly that. */
  private final class Scene {
    final Set<Digest> garbage = new HashSet<>();
    final Set<Digest> kept = new HashSet<>();

    Scene build() {
      BlobInfo sharedConfig = blob(APP, 50);
      BlobInfo shared = blob(APP, 300);
      // a tagged single-platform image
      Pushed tagged = imageOf(APP, sharedConfig, shared, blob(APP, 100));
      tagged.put(storage, APP, tag("1"));
      // a multi-platform index, untagged: kept all the same (GC marks every manifest)
      Pushed amd64 = imageOf(APP, sharedConfig, blob(APP, 200));
      Pushed arm64 = imageOf(APP, sharedConfig, blob(APP, 210));
      index(List.of(amd64, arm64)).put(storage, APP, tag("multi"));
      // a signature that refers to the tagged image
      Pushed signature = image(List.of(blob(APP, 30), blob(APP, 40)), tagged, "application/vnd.example.sig");
      signature.put(storage, APP, null);
      // a deleted image: its manifest bytes and its own layer go; the shared layer stays
      BlobInfo onlyDeleted = blob(APP, 120);
      Pushed deleted = imageOf(APP, sharedConfig, shared, onlyDeleted);
      storage.manifests().delete(APP, deleted.digest());
      garbage.add(deleted.digest());
      garbage.add(onlyDeleted.digest());
      // a pinned digest whose manifest left the repository: the pin keeps its bytes
      Pushed pinnedGone = imageOf(TOOLS, blob(TOOLS, 60));
      storage.pins().pin(TOOLS, ManifestReference.of(pinnedGone.digest()), pinnedGone.digest(), "cli");
      storage.manifests().delete(TOOLS, pinnedGone.digest());
      garbage.add(pinnedGone.manifest().blobs().get(0).digest());
      // blobs uploaded and never referenced, one linked into two repositories
      BlobInfo loose = blob(APP, 500);
      storage.blobs().link(TOOLS, loose.digest());
      garbage.add(loose.digest());
      garbage.add(blob(TOOLS, 70).digest());
      kept.addAll(committed());
      kept.removeAll(garbage);
      assertThat(kept).contains(pinnedGone.digest(), shared.digest(), sharedConfig.digest(), signature.digest());
      return this;
    }
  }

  @Test
  void removesExactlyTheUnreferencedBlobsOlderThanTheGrace() {
    Scene scene = new Scene().build();
    clock.advance(GRACE.plusSeconds(1));
    // garbage younger than the grace stays this time
    BlobInfo young = blob(TOOLS, 80);

    long garbageBytes = scene.garbage.stream().mapToLong(d -> storage.blobs().find(d).orElseThrow().size()).sum();

    GcResult result = new GarbageCollector(storage, GRACE, d -> false).run(false);

    assertThat(result.dryRun()).isFalse();
    assertThat(result.bytes()).isEqualTo(garbageBytes);
    assertThat(result.removed()).containsExactlyInAnyOrderElementsOf(scene.garbage);
    for (Digest d : scene.garbage) {
      assertThat(storage.layout().blobData(d)).doesNotExist();
      assertThat(storage.blobs().findIn(APP, d)).isEmpty();
      assertThat(storage.blobs().findIn(TOOLS, d)).isEmpty();
      assertThat(storage.layout().layerLinkDir(APP, d)).doesNotExist();
      assertThat(storage.layout().layerLinkDir(TOOLS, d)).doesNotExist();
    }
    Set<Digest> expectedLeft = new HashSet<>(scene.kept);
    expectedLeft.add(young.digest());
    assertThat(committed()).isEqualTo(expectedLeft);
    assertThat(StorageConsistency.differences(storage)).isEmpty();

    // the young one goes once it is old enough; nothing else does
    clock.advance(GRACE.plusSeconds(1));
    assertThat(new GarbageCollector(storage, GRACE, d -> false).run(false).removed()).containsExactly(young.digest());
    assertThat(committed()).isEqualTo(scene.kept);
    storage.close();
    assertThat(StorageConsistency.differences(data)).isEmpty();
    storage = Storage.open(data, clock);
  }

  @Test
  void aDryRunListsWhatARunRemovesAndRemovesNothing() {
    Scene scene = new Scene().build();
    clock.advance(GRACE.plusSeconds(1));
    Set<Digest> before = committed();

    GcResult dry = new GarbageCollector(storage, GRACE, d -> false).run(true);

    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.removed()).containsExactlyInAnyOrderElementsOf(scene.garbage);
    assertThat(committed()).isEqualTo(before);
    for (Digest d : scene.garbage) {
      assertThat(storage.layout().blobData(d)).exists();
    }
    GcResult real = new GarbageCollector(storage, GRACE, d -> false).run(false);
    assertThat(real.removed()).containsExactlyInAnyOrderElementsOf(dry.removed());
    assertThat(real.bytes()).isEqualTo(dry.bytes());
  }

  @Test
  void aBlobBeingFetchedSurvives() {
    Scene scene = new Scene().build();
    clock.advance(GRACE.plusSeconds(1));
    Digest fetching = scene.garbage.iterator().next();

    GcResult result = new GarbageCollector(storage, GRACE, fetching::equals).run(false);

    assertThat(result.removed()).doesNotContain(fetching).hasSize(scene.garbage.size() - 1);
    assertThat(storage.blobs().find(fetching)).isPresent();
    assertThat(storage.layout().blobData(fetching)).exists();
  }

  @Test
  void whatIsCommittedOrReferencedWhileGcRunsSurvivesEvenWithNoGrace() {
    Scene scene = new Scene().build();
    // old garbage that a manifest and a mount come to reference once GC has begun
    Digest byManifest = scene.garbage.stream().filter(d -> !storage.manifests().contains(APP, d))
        .filter(d -> storage.blobs().find(d).orElseThrow().size() == 120).findFirst().orElseThrow();
    Digest byMount = scene.garbage.stream().filter(d -> storage.blobs().find(d).orElseThrow().size() == 70).findFirst().orElseThrow();
    clock.advance(GRACE.plusSeconds(1));
    AtomicReference<BlobInfo> fresh = new AtomicReference<>();
    AtomicReference<Pushed> late = new AtomicReference<>();
    Progress duringMark = new Progress() {
      @Override
      public void begin(String item, long totalBytes) {
        if (item.equals("mark")) {
          fresh.set(blob(APP, 90));
          BlobInfo config = storage.blobs().find(byManifest).orElseThrow();
          late.set(imageOf(APP, config, fresh.get()));
          storage.blobs().link(APP, byMount);
        }
      }
    };

    GcResult result = new GarbageCollector(storage, Duration.ZERO, d -> false).run(false, duringMark);

    assertThat(result.removed()).doesNotContain(byManifest, byMount, fresh.get().digest(), late.get().digest());
    for (Digest d : List.of(byManifest, byMount, fresh.get().digest(), late.get().digest())) {
      assertThat(storage.blobs().find(d)).isPresent();
      assertThat(storage.layout().blobData(d)).exists();
    }
    assertThat(storage.blobs().findIn(APP, byMount)).isPresent();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }

  /**
   * Pull-through order (the manifest first, then its blobs, some of them old garbage that the new
   * manifest brings back) on one thread while GC runs with no grace on another: every blob a
   * manifest references and that was committed is still there, file and index, at the end.
   */
  @Test
  void gcRacingPullThroughCommitsNeverDeletesReferencedContent() throws Exception {
    storage.close();
    storage = Storage.open(data); // the real clock: the race is real
    List<BlobInfo> oldGarbage = new ArrayList<>();
    List<byte[]> oldBytes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] b = bytes(random, 64 + i);
      oldBytes.add(b);
      oldGarbage.add(upload(storage, TOOLS, b));
    }
    Thread.sleep(5);
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Pushed> pulled = new ArrayList<>();
    Thread puller = new Thread(() -> {
      Random r = new Random(3);
      try {
        for (int i = 0; i < 40; i++) {
          byte[] layer = bytes(r, 100 + i);
          BlobInfo old = oldGarbage.get(i);
          Pushed m = image(List.of(old, new BlobInfo(sha256(layer), layer.length, Path.of("unused"))), null, null);
          RepositoryName repo = repo("docker.io/library/p" + (i % 3));
          m.put(storage, repo, tag("t" + i));
          // then the blobs, as a prefetch does: a known one is linked, a missing one fetched
          if (storage.blobs().link(repo, old.digest()).isEmpty()) {
            upload(storage, repo, oldBytes.get(i));
          }
          upload(storage, repo, layer);
          synchronized (pulled) {
            pulled.add(m);
          }
        }
      } catch (Throwable t) {
        failures.add(t);
      } finally {
        done.set(true);
      }
    });
    puller.start();
    int runs = 0;
    while (!done.get()) {
      new GarbageCollector(storage, Duration.ZERO, d -> false).run(false);
      runs++;
    }
    puller.join();
    assertThat(failures).isEmpty();
    assertThat(runs).isPositive();
    for (Pushed m : pulled) {
      for (var d : m.manifest().blobs()) {
        assertThat(storage.blobs().find(d.digest())).as("blob %s of %s", d.digest(), m.digest()).isPresent();
        assertThat(storage.layout().blobData(d.digest())).exists();
      }
      assertThat(storage.blobs().find(m.digest())).isPresent();
    }
    assertThat(StorageConsistency.differences(storage)).isEmpty();
    // with the pulls over, a last run finds no garbage left but the old blobs no pull came back for
    Set<Digest> leftOver = new HashSet<>();
    for (int i = pulled.size(); i < oldGarbage.size(); i++) {
      leftOver.add(oldGarbage.get(i).digest());
    }
    Set<Digest> removed = new HashSet<>(new GarbageCollector(storage, Duration.ZERO, d -> false).run(false).removed());
    assertThat(leftOver).containsAll(removed);
  }

  /** A crash after a sweep's index write and before its files are gone: start-up deletes them. */
  @Test
  void aSweepInterruptedBeforeItsFilesAreGoneIsRolledForwardAtStartUp() {
    BlobInfo loose = blob(APP, 100);
    Commit commit = new Commit(storage.layout())
        .deleteTree(storage.layout().layerLinkDir(APP, loose.digest()))
        .delete(Column.LAYERS, io.wharf.storage.index.Keys.inRepo(APP, loose.digest()))
        .deleteTree(storage.layout().blobData(loose.digest()).getParent())
        .delete(Column.BLOBS, loose.digest().toString());
    storage.journal().writeIndexFirst(commit);
    // the index no longer names the blob, so no reader can be sent to the file that is still there
    assertThat(storage.blobs().find(loose.digest())).isEmpty();
    assertThat(storage.layout().blobData(loose.digest())).exists();
    storage.close();

    storage = Storage.open(data, clock);
    assertThat(storage.layout().blobData(loose.digest())).doesNotExist();
    assertThat(storage.layout().layerLinkDir(APP, loose.digest())).doesNotExist();
    assertThat(StorageConsistency.differences(storage)).isEmpty();
  }
}

package io.wharf.storage;

import static io.wharf.storage.TestContent.bytes;
import static io.wharf.storage.TestContent.image;
import static io.wharf.storage.TestContent.repo;
import static io.wharf.storage.TestContent.sha256;
import static io.wharf.storage.TestContent.tag;
import static io.wharf.storage.TestContent.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.TestContent.Pushed;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.Records;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull-through caching (manifest first, then its blobs; images pulled again after they were
 * evicted), readers, GC with no grace and eviction under a small quota, all at once on the real
 * clock. Whatever the interleaving: the index never names a blob whose file is gone, every manifest
 * left at the end has every blob it references, and index and files agree.
 */
final class LifecycleRaceTest {
  private static final int IMAGES = 8;
  private static final int PULLS = 60;

  @TempDir(factory = MemoryTempDirs.class) Path data;

  /** The blobs of image {@code i}: the same bytes every time it is pulled; layer 0 shared by all. */
  private static List<byte[]> contentOf(int i) {
    Random r = new Random(1000 + i);
    return List.of(bytes(new Random(7), 2_000), bytes(r, 100 + i), bytes(r, 5_000 + i));
  }

  private static Pushed manifestOf(List<byte[]> blobs) {
    List<BlobInfo> infos = new ArrayList<>();
    // the config first, then the shared layer and the image's own
    for (byte[] b : List.of(blobs.get(1), blobs.get(0), blobs.get(2))) {
      infos.add(new BlobInfo(sha256(b), b.length, Path.of("unused")));
    }
    return image(infos, null, null);
  }

  @Test
  void pullsReadersGcAndEvictionTogetherKeepEveryRemainingImageWhole() throws Exception {
    try (Storage storage = Storage.open(data)) {
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      Map<Integer, Pushed> manifests = new ConcurrentHashMap<>();
      Thread puller = new Thread(() -> {
        Random r = new Random(5);
        try {
          for (int n = 0; n < PULLS; n++) {
            int i = r.nextInt(IMAGES);
            RepositoryName repo = repo("docker.io/library/img" + i);
            List<byte[]> blobs = contentOf(i);
            Pushed m = manifests.computeIfAbsent(i, k -> manifestOf(blobs));
            m.put(storage, repo, tag("1"));
            for (byte[] b : blobs) {
              if (storage.blobs().link(repo, sha256(b)).isEmpty()) {
                upload(storage, repo, b);
              }
            }
            storage.access().record(repo, m.digest());
          }
        } catch (Throwable t) {
          failures.add(t);
        } finally {
          done.set(true);
        }
      });
      Thread reader = new Thread(() -> {
        try {
          while (!done.get()) {
            for (int i = 0; i < IMAGES; i++) {
              for (byte[] b : contentOf(i)) {
                // the same record named before and after the file was found missing: a violation
                // (a blob swept and committed again in between has a new record and its file back)
                String d = sha256(b).toString();
                var before = storage.index().get(Column.BLOBS, d, BlobRecord.class);
                if (before.isPresent() && !Files.exists(storage.layout().blobData(sha256(b)))
                    && storage.index().get(Column.BLOBS, d, BlobRecord.class).equals(before)) {
                  failures.add(new AssertionError("indexed without its file: " + d));
                }
              }
            }
            storage.access().flush();
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      puller.start();
      reader.start();
      // about three images' worth: passes keep evicting while the pulls keep coming
      Eviction eviction = new Eviction(storage, QuotaPolicy.of(3 * 7_500 + 2_000), r -> false);
      int evictions = 0;
      while (!done.get()) {
        new GarbageCollector(storage, Duration.ZERO, d -> false).run(false);
        evictions += eviction.runIfNeeded().evicted().isEmpty() ? 0 : 1;
      }
      puller.join();
      reader.join();

      assertThat(failures).isEmpty();
      assertThat(evictions).isPositive();
      storage.index().scan(Column.MANIFESTS, "", null, (key, value) -> {
        for (String ref : Records.decode(value, ManifestRecord.class).references()) {
          Digest d = Digest.parse(ref);
          assertThat(storage.blobs().find(d)).as("%s of %s", ref, key.replace(Keys.SEP, ' ')).isPresent();
          assertThat(storage.layout().blobData(d)).exists();
        }
        return true;
      });
      assertThat(StorageConsistency.differences(storage)).isEmpty();
    }
  }
}

package io.wharf.storage;

import static io.wharf.storage.TestContent.repo;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.AccessRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AccessStatsTest {
  private static final RepositoryName REPO = repo("docker.io/library/nginx");
  private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));
  private static final Digest D2 = Digest.parse("sha256:" + "2".repeat(64));

  @TempDir(factory = MemoryTempDirs.class) Path data;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private Storage storage;

  @BeforeEach
  void open() {
    storage = Storage.open(data, clock);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private AccessRecord stored(RepositoryName repo, Digest d) {
    return storage.index().get(Column.ACCESS, Keys.inRepo(repo, d), AccessRecord.class).orElse(null);
  }

  @Test
  void recordStaysInMemoryUntilAFlushMergesIt() {
    storage.access().record(REPO, D1);
    long first = clock.millis();
    clock.advance(Duration.ofSeconds(5));
    storage.access().record(REPO, D1);
    storage.access().record(repo("other"), D1);

    assertThat(stored(REPO, D1)).isNull();
    assertThat(storage.access().find(REPO, D1)).isEqualTo(new AccessRecord(clock.millis(), 2));

    assertThat(storage.access().flush()).isEqualTo(2);
    assertThat(stored(REPO, D1)).isEqualTo(new AccessRecord(clock.millis(), 2));
    assertThat(stored(repo("other"), D1)).isEqualTo(new AccessRecord(clock.millis(), 1));
    assertThat(first).isLessThan(clock.millis());

    // later pulls add to what is stored; an idle flush writes nothing
    clock.advance(Duration.ofSeconds(5));
    storage.access().record(REPO, D1);
    storage.access().record(REPO, D2);
    assertThat(storage.access().flush()).isEqualTo(2);
    assertThat(stored(REPO, D1)).isEqualTo(new AccessRecord(clock.millis(), 3));
    assertThat(stored(REPO, D2)).isEqualTo(new AccessRecord(clock.millis(), 1));
    assertThat(storage.access().flush()).isZero();
    assertThat(storage.access().find(REPO, D1)).isEqualTo(new AccessRecord(clock.millis(), 3));
  }

  @Test
  void closeFlushesAndAReopenReadsThem() {
    storage.access().record(REPO, D1);
    storage.access().record(REPO, D1);
    long when = clock.millis();
    storage.close();

    storage = Storage.open(data, clock);
    assertThat(storage.access().find(REPO, D1)).isEqualTo(new AccessRecord(when, 2));
    assertThat(stored(REPO, D1)).isEqualTo(new AccessRecord(when, 2));
  }

  @Test
  void aFailedFlushKeepsTheCountsForTheNextOne() {
    // a stored record the flush cannot read (a damaged index) fails that manifest's merge
    storage.index().write(new IndexBatch().put(Column.ACCESS, Keys.inRepo(REPO, D1), TestContent.text("not json")));
    storage.access().record(REPO, D1);
    storage.access().record(REPO, D2);

    assertThat(storage.access().flush()).isEqualTo(1);
    assertThat(stored(REPO, D2)).isEqualTo(new AccessRecord(clock.millis(), 1));

    storage.access().record(REPO, D1);
    // fsck --repair drops the damaged record; the next flush writes every pull since the first
    storage.index().write(new IndexBatch().delete(Column.ACCESS, Keys.inRepo(REPO, D1)));
    assertThat(storage.access().flush()).isEqualTo(1);
    assertThat(stored(REPO, D1)).isEqualTo(new AccessRecord(clock.millis(), 2));
  }

  @Test
  void aFlushAfterCloseDoesNothing() {
    Storage closed = storage;
    closed.access().record(REPO, D1);
    closed.close();
    assertThat(closed.access().flush()).isZero();
    storage = Storage.open(data, clock);
    assertThat(stored(REPO, D1)).isEqualTo(new AccessRecord(clock.millis(), 1));
  }

  @Test
  void concurrentRecordsAndFlushesLoseNoPull() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Digest d = t % 2 == 0 ? D1 : D2;
      Thread w = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          storage.access().record(REPO, d);
        }
      });
      w.start();
      workers.add(w);
    }
    start.countDown();
    while (workers.stream().anyMatch(Thread::isAlive)) {
      storage.access().flush();
    }
    for (Thread w : workers) {
      w.join();
    }
    storage.access().flush();
    // idle now: the next flush retires both entries, and a pull after that starts a new one
    storage.access().flush();
    storage.access().record(REPO, D1);
    storage.access().flush();

    assertThat(stored(REPO, D1).pulls()).isEqualTo(2L * perThread + 1);
    assertThat(stored(REPO, D2).pulls()).isEqualTo(2L * perThread);
  }
}

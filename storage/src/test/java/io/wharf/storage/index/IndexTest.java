package io.wharf.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

final class IndexTest {
  @TempDir Path dir;

  @Test
  void createsEveryColumnFamily() throws Exception {
    Index.open(dir).close();

    List<String> families;
    try (Options options = new Options()) {
      families = RocksDB.listColumnFamilies(options, dir.toString()).stream()
          .map(b -> new String(b, StandardCharsets.UTF_8))
          .toList();
    }

    assertThat(families)
        .containsExactlyInAnyOrder("default", "blobs", "manifests", "tags", "repositories", "layers", "referrers", "uploads", "journal",
            "pins", "access", "project-repos");
    assertThat(Arrays.stream(Column.values()).map(Column::familyName)).doesNotHaveDuplicates();
  }

  @Test
  void syncedBatchPutsAndDeletesTogether() {
    try (Index index = Index.open(dir)) {
      index.write(new IndexBatch().put(Column.BLOBS, "k1", new BlobRecord(3, 10)).put(Column.TAGS, "r\0t", new TagRecord("d", 1, 2)));

      index.write(new IndexBatch().delete(Column.BLOBS, "k1").put(Column.BLOBS, "k2", new BlobRecord(4, 11)));

      assertThat(index.contains(Column.BLOBS, "k1")).isFalse();
      assertThat(index.get(Column.BLOBS, "k2", BlobRecord.class)).contains(new BlobRecord(4, 11));
      assertThat(index.get(Column.TAGS, "r\0t", TagRecord.class)).contains(new TagRecord("d", 1, 2));
    }
  }

  @Test
  void everyColumnSharesOneCappedCache() {
    try (Index index = Index.open(dir)) {
      for (Column c : Column.values()) {
        assertThat(index.property(c, "rocksdb.block-cache-capacity")).as(c.name()).isEqualTo(IndexMemory.CACHE_BYTES);
      }
    }
  }

  @Test
  void memtablesStayWithinTheWriteBufferBudgetUnderABurstOfWrites() {
    byte[] value = new byte[1024];
    Arrays.fill(value, (byte) 'v');
    try (Index index = Index.open(dir)) {
      long peak = 0;
      // 64 MiB spread over every family: without the shared manager each family would keep up to
      // two full memtables, 16 times the budget in all
      for (int batch = 0; batch < 256; batch++) {
        IndexBatch b = new IndexBatch();
        for (int i = 0; i < 256; i++) {
          Column c = Column.values()[(batch + i) % Column.values().length];
          b.put(c, "key-" + batch + "-" + i, value);
        }
        index.writeUnsynced(b);
        peak = Math.max(peak, index.propertySum("rocksdb.cur-size-all-mem-tables"));
      }
      // the manager flushes once usage passes its size; a memtable being written can overshoot by
      // one arena block per family
      assertThat(peak).isLessThan(IndexMemory.WRITE_BUFFERS_BYTES * 2);
      // and nothing written was lost to the early flushes
      for (int batch = 0; batch < 256; batch += 51) {
        Column c = Column.values()[batch % Column.values().length];
        assertThat(index.get(c, "key-" + batch + "-0")).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
      }
    }
  }

  @Test
  void columnsAreSeparateKeySpaces() {
    try (Index index = Index.open(dir)) {
      index.write(new IndexBatch().put(Column.LAYERS, "same", new byte[0]));

      assertThat(index.contains(Column.LAYERS, "same")).isTrue();
      assertThat(index.contains(Column.MANIFESTS, "same")).isFalse();
      assertThat(index.get(Column.LAYERS, "same")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }
  }

  @Test
  void unsyncedWritesAreVisibleAtOnce() {
    try (Index index = Index.open(dir)) {
      index.writeUnsynced(new IndexBatch().put(Column.UPLOADS, "u1", new UploadRecord("a", 5)));

      assertThat(index.get(Column.UPLOADS, "u1", UploadRecord.class)).contains(new UploadRecord("a", 5));
    }
  }

  @Test
  void prefixScanDoesNotLeakIntoSiblingRepositories() {
    try (Index index = Index.open(dir)) {
      putTags(index, "a\0x", "a\0w", "a-b\0y", "a/b\0z", "a.b\0v", "b\0u", "\0odd");

      assertThat(scan(index, Keys.of("a", ""), null)).containsExactly("a\0w", "a\0x");
      assertThat(scan(index, Keys.of("a-b", ""), null)).containsExactly("a-b\0y");
      assertThat(scan(index, Keys.of("a/b", ""), null)).containsExactly("a/b\0z");
      assertThat(index.keys(Column.TAGS, "a")).containsExactly("a\0w", "a\0x", "a-b\0y", "a.b\0v", "a/b\0z");
    }
  }

  @Test
  void scanStartsAfterTheGivenKeyAndStaysInsideThePrefix() {
    try (Index index = Index.open(dir)) {
      putTags(index, "a\0v1", "a\0v2", "a\0v3", "a-b\0v0", "a/b\0v4");
      String prefix = Keys.of("a", "");

      assertThat(scan(index, prefix, "a\0v1")).containsExactly("a\0v2", "a\0v3");
      assertThat(scan(index, prefix, "a\0v15")).containsExactly("a\0v2", "a\0v3");
      assertThat(scan(index, prefix, "a\0v3")).isEmpty();
      assertThat(scan(index, prefix, "a\0zzz")).isEmpty();
      // a start before the prefix scans all of it
      assertThat(scan(index, prefix, "")).containsExactly("a\0v1", "a\0v2", "a\0v3");
    }
  }

  @Test
  void scanStopsWhenTheVisitorSaysSo() {
    try (Index index = Index.open(dir)) {
      putTags(index, "r\0a", "r\0b", "r\0c");
      List<String> seen = new ArrayList<>();

      index.scan(Column.TAGS, "r\0", null, (k, v) -> seen.add(k) && seen.size() < 2);

      assertThat(seen).containsExactly("r\0a", "r\0b");
    }
  }

  @Test
  void reopenKeepsWhatWasWritten() {
    try (Index index = Index.open(dir)) {
      index.write(new IndexBatch().put(Column.REPOSITORIES, "library/ubuntu", new RepositoryRecord(42)));
    }

    try (Index index = Index.open(dir)) {
      assertThat(index.get(Column.REPOSITORIES, "library/ubuntu", RepositoryRecord.class)).contains(new RepositoryRecord(42));
    }
  }

  @Test
  void secondOpenOfTheSameFolderFailsClearlyWhileTheFirstIsOpen() {
    try (Index first = Index.open(dir)) {
      first.write(new IndexBatch().put(Column.BLOBS, "k", new BlobRecord(1, 1)));

      assertThatThrownBy(() -> Index.open(dir))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("cannot open index " + dir)
          .hasMessageContaining("lock");

      assertThat(first.contains(Column.BLOBS, "k")).isTrue();
    }
    try (Index again = Index.open(dir)) {
      assertThat(again.contains(Column.BLOBS, "k")).isTrue();
    }
  }

  @Test
  void recordsRoundTripAndLeaveNullsOut() {
    ManifestRecord image = new ManifestRecord("application/vnd.oci.image.manifest.v1+json", 512, List.of("sha256:a", "sha256:b"), null, null, 7);
    ReferrerRecord referrer = new ReferrerRecord("m", 3, "application/example", Map.of("k", "v"));

    assertThat(Records.decode(Records.encode(image), ManifestRecord.class)).isEqualTo(image);
    assertThat(Records.decode(Records.encode(referrer), ReferrerRecord.class)).isEqualTo(referrer);
    assertThat(new String(Records.encode(image), StandardCharsets.UTF_8)).doesNotContain("subject").doesNotContain("null");
    assertThat(Records.decode("{\"size\":1,\"createdAt\":2,\"added\":\"later\"}".getBytes(StandardCharsets.UTF_8), BlobRecord.class))
        .isEqualTo(new BlobRecord(1, 2));
  }

  @Test
  void keysJoinWithNulAndLastTakesTheFinalComponent() {
    assertThat(Keys.of("a/b", "sha256:x", "sha256:y")).isEqualTo("a/b\0sha256:x\0sha256:y");
    assertThat(Keys.last("a/b\0sha256:x\0sha256:y")).isEqualTo("sha256:y");
    assertThat(Keys.last("plain")).isEqualTo("plain");
  }

  private static void putTags(Index index, String... keys) {
    IndexBatch batch = new IndexBatch();
    for (String k : keys) {
      batch.put(Column.TAGS, k, new TagRecord("sha256:x", 0, 0));
    }
    index.write(batch);
  }

  private static List<String> scan(Index index, String prefix, @Nullable String startAfter) {
    List<String> out = new ArrayList<>();
    index.scan(Column.TAGS, prefix, startAfter, (k, v) -> out.add(k));
    return out;
  }
}

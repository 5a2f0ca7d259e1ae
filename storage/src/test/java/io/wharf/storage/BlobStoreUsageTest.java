package io.wharf.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Records;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage is a scan of column BLOBS rather than a running counter; this checks the sum and measures
 * the scan at 100k blobs (the size a busy edge cache reaches), which the eviction pass pays once.
 */
final class BlobStoreUsageTest {
  private static final Logger log = LoggerFactory.getLogger(BlobStoreUsageTest.class);
  private static final int BLOBS = 100_000;

  @TempDir(factory = MemoryTempDirs.class) Path data;

  @Test
  void theFastSizeReadAgreesWithTheCodec() {
    for (long size : new long[] {0, 1, 9, 10, 1L << 40, 999_999_999_999_999_999L, Long.MAX_VALUE}) {
      assertThat(BlobStore.sizeOf(Records.encode(new BlobRecord(size, 1_700_000_000_000L)))).isEqualTo(size);
    }
    assertThat(BlobStore.sizeOf(TestContent.text("{\"createdAt\":5, \"size\" : 42}"))).isEqualTo(42);
  }

  @Test
  void usedBytesSumsEveryCommittedBlobAtAHundredThousandBlobs() {
    try (Storage storage = Storage.open(data)) {
      long expected = 0;
      IndexBatch batch = new IndexBatch();
      for (int i = 0; i < BLOBS; i++) {
        long size = 1_000_000L + i;
        expected += size;
        byte[] seed = ByteBuffer.allocate(4).putInt(i).array();
        batch.put(Column.BLOBS, Digest.sha256Of(seed).toString(), new BlobRecord(size, 0));
        if (batch.ops().size() == 10_000) {
          storage.index().write(batch);
          batch = new IndexBatch();
        }
      }
      storage.index().write(batch);

      assertThat(storage.usedBytes()).isEqualTo(expected);
      long best = Long.MAX_VALUE;
      for (int run = 0; run < 5; run++) {
        long start = System.nanoTime();
        storage.usedBytes();
        best = Math.min(best, System.nanoTime() - start);
      }
      log.atInfo().addKeyValue("blobs", BLOBS).addKeyValue("millis", best / 1_000_000).log("usedBytes scan");
    }
  }
}

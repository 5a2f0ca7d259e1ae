package io.wharf.storage.index;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.WriteBufferManager;

/**
 * The whole of RocksDB's memory, capped: one small block cache and one write-buffer manager
 * shared by every column family, so the index's footprint is a known number however many
 * families it has.
 *
 * <p>Why: RocksDB's defaults size memory per column family (a 64 MiB write buffer each, times up to
 * two, plus a 32 MiB block cache), which on nine families could claim more than the whole budget
 * of an edge host where wharf must stay under 256 MiB resident. The index holds small records
 * (digests, sizes, links), so a few MiB of cache keep its hot part in memory; memtables are
 * charged to the same cache, so a burst of writes flushes early instead of growing.
 *
 * <p>Owns native handles: {@link #close()} after the database that used them.
 */
final class IndexMemory implements AutoCloseable {
  /** Block cache for every family, memtables included (charged through the manager). */
  static final long CACHE_BYTES = 16L * 1024 * 1024;
  /** Memtables of all families together; a family's memtable flushes early once this is reached. */
  static final long WRITE_BUFFERS_BYTES = 8L * 1024 * 1024;
  /** One family's memtable: small, as the records are. */
  static final long WRITE_BUFFER_BYTES = 2L * 1024 * 1024;

  private final LRUCache cache = new LRUCache(CACHE_BYTES);
  /** Stalls writers while flushes catch up, rather than letting memtables outgrow the budget. */
  private final WriteBufferManager writeBuffers = new WriteBufferManager(WRITE_BUFFERS_BYTES, cache, true);

  /** Applies the shared budget to the database's options. */
  DBOptions apply(DBOptions options) {
    return options.setWriteBufferManager(writeBuffers);
  }

  /** Applies the shared budget to a column family's options. */
  ColumnFamilyOptions apply(ColumnFamilyOptions options) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            // index and filter blocks live in the same cache, so they count against its size
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
    return options
        .setWriteBufferSize(WRITE_BUFFER_BYTES)
        .setMaxWriteBufferNumber(2)
        .setTableFormatConfig(table);
  }

  @Override
  public void close() {
    writeBuffers.close();
    cache.close();
  }
}

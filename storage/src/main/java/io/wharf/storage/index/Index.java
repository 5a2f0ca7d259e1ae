package io.wharf.storage.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB index beside the files ({@code <data>/index/}): owns the database, its column
 * families and options.
 *
 * <p>Thread-safe (RocksDB is). Content commits go through {@link #write(IndexBatch)}, always synced;
 * bookkeeping that a restart may lose (upload sessions) goes through {@link #writeUnsynced}.
 * Failures surface as {@link UncheckedIOException}.
 */
public final class Index implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final RocksDB db;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final IndexMemory memory;
  private final List<ColumnFamilyHandle> handles;
  private final Map<Column, ColumnFamilyHandle> columns = new EnumMap<>(Column.class);
  private final WriteOptions synced = new WriteOptions().setSync(true);
  private final WriteOptions unsynced = new WriteOptions().setSync(false);

  private Index(RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions, IndexMemory memory,
      List<ColumnFamilyHandle> handles) {
    this.db = db;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.memory = memory;
    this.handles = handles;
    for (Column c : Column.values()) {
      columns.put(c, handles.get(c.ordinal() + 1));
    }
  }

  /**
   * Opens (creating if needed) the index in {@code dir}.
   *
   * @throws IndexCorruptException when RocksDB reports its files corrupt
   * @throws UncheckedIOException when it cannot be opened otherwise, e.g. another process holds its lock
   */
  public static Index open(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    IndexMemory memory = new IndexMemory();
    DBOptions dbOptions = memory.apply(
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            // an edge host is small: keep RocksDB's own footprint modest
            .setMaxOpenFiles(256)
            .setKeepLogFileNum(3)
            .setMaxBackgroundJobs(2));
    ColumnFamilyOptions cfOptions = memory.apply(new ColumnFamilyOptions());
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (Column c : Column.values()) {
      descriptors.add(new ColumnFamilyDescriptor(c.familyNameBytes(), cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      return new Index(db, dbOptions, cfOptions, memory, handles);
    } catch (RocksDBException e) {
      dbOptions.close();
      cfOptions.close();
      memory.close();
      String message = "cannot open index " + dir + ": " + e.getMessage();
      if (isCorruption(e)) {
        throw new IndexCorruptException(message, new IOException(e));
      }
      throw new UncheckedIOException(message, new IOException(e));
    }
  }

  /**
   * Whether an open failed because the files are damaged: RocksDB's Corruption (a torn MANIFEST
   * or table, a bad CURRENT), or a file the MANIFEST names that is gone. A held lock is an I/O
   * error too ("lock hold by current process", "While lock file"), never this: a second daemon
   * must fail fast, not move the first one's index aside.
   */
  private static boolean isCorruption(RocksDBException e) {
    Status status = e.getStatus();
    if (status == null) {
      return false;
    }
    if (status.getCode() == Status.Code.Corruption) {
      return true;
    }
    String text = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return status.getCode() == Status.Code.IOError && text.contains("no such file or directory") && !text.contains("lock");
  }

  public Optional<byte[]> get(Column column, String key) {
    try {
      return Optional.ofNullable(db.get(columns.get(column), bytes(key)));
    } catch (RocksDBException e) {
      throw failure("read", e);
    }
  }

  public <T> Optional<T> get(Column column, String key, Class<T> type) {
    return get(column, key).map(b -> Records.decode(b, type));
  }

  public boolean contains(Column column, String key) {
    return get(column, key).isPresent();
  }

  /** Writes a batch atomically and durably (WAL fsynced before this returns). */
  public void write(IndexBatch batch) {
    write(batch, synced);
  }

  /** Writes a batch atomically without waiting for the disk: for state a crash may lose. */
  public void writeUnsynced(IndexBatch batch) {
    write(batch, unsynced);
  }

  private void write(IndexBatch batch, WriteOptions options) {
    try (WriteBatch wb = new WriteBatch()) {
      for (IndexBatch.Op op : batch.ops()) {
        ColumnFamilyHandle cf = columns.get(op.column());
        if (op.value() == null) {
          wb.delete(cf, bytes(op.key()));
        } else {
          wb.put(cf, bytes(op.key()), op.value());
        }
      }
      db.write(options, wb);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  /**
   * Visits keys starting with {@code prefix} in order, beginning after {@code startAfter} (a full
   * key) when given, until the visitor returns false.
   */
  public void scan(Column column, String prefix, @Nullable String startAfter, BiPredicate<String, byte[]> visitor) {
    byte[] prefixBytes = bytes(prefix);
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(columns.get(column), ro)) {
      if (startAfter != null && startAfter.compareTo(prefix) > 0) {
        it.seek(bytes(startAfter));
        if (it.isValid() && new String(it.key(), StandardCharsets.UTF_8).equals(startAfter)) {
          it.next();
        }
      } else {
        it.seek(prefixBytes);
      }
      for (; it.isValid(); it.next()) {
        byte[] key = it.key();
        if (!startsWith(key, prefixBytes)) {
          break;
        }
        if (!visitor.test(new String(key, StandardCharsets.UTF_8), it.value())) {
          break;
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw failure("scan", e);
    }
  }

  /** Every key of a column family starting with a prefix. */
  public List<String> keys(Column column, String prefix) {
    List<String> out = new ArrayList<>();
    scan(column, prefix, null, (k, v) -> out.add(k));
    return out;
  }

  /** A RocksDB integer property summed over every column family, e.g. {@code rocksdb.cur-size-all-mem-tables}. */
  long propertySum(String name) {
    long sum = 0;
    try {
      for (ColumnFamilyHandle h : handles) {
        sum += db.getLongProperty(h, name);
      }
    } catch (RocksDBException e) {
      throw failure("property " + name, e);
    }
    return sum;
  }

  /** A RocksDB integer property of one column family, e.g. {@code rocksdb.block-cache-capacity}. */
  long property(Column column, String name) {
    try {
      return db.getLongProperty(columns.get(column), name);
    } catch (RocksDBException e) {
      throw failure("property " + name, e);
    }
  }

  @Override
  public void close() {
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      // closing anyway; synced batches are already durable
    }
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    synced.close();
    unsynced.close();
    dbOptions.close();
    cfOptions.close();
    memory.close();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static UncheckedIOException failure(String what, RocksDBException e) {
    return new UncheckedIOException("index " + what + " failed: " + e.getMessage(), new IOException(e));
  }
}

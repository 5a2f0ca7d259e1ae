package io.wharf.storage;

import io.wharf.storage.FsckProblem.Kind;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.ReferrerRecord;
import io.wharf.storage.index.TagRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The entries by which the index differs from what the files justify ({@link FileIndex}).
 *
 * <p>An entry that agrees in substance is left alone, so its times stay: a blob of the same size
 * keeps its createdAt, a tag of the same digest keeps when it was last checked upstream, a
 * manifest keeps its createdAt. Only what the files say decides; the index's view is replaced.
 */
final class IndexDiff {
  /** One entry to put ({@code value} set) or delete ({@code value} null). */
  record Change(Kind kind, Column column, String key, @Nullable Object value, String detail) {}

  /** Entries applied per synced batch: bounded memory on a big cache, few fsyncs. */
  private static final int BATCH = 4096;

  private IndexDiff() {}

  /** The index's entries of a column, as stored. */
  static Map<String, byte[]> read(Index index, Column column) {
    Map<String, byte[]> out = new TreeMap<>();
    index.scan(column, "", null, (k, v) -> {
      out.put(k, v);
      return true;
    });
    return out;
  }

  /** What it takes to make these index columns ({@code current}) say what the files say. */
  static List<Change> changes(FileIndex derived, Map<Column, Map<String, byte[]>> current) {
    List<Change> out = new ArrayList<>();
    for (Column column : FileIndex.derivedColumns()) {
      TreeMap<String, Object> want = derived.columns.get(column);
      Map<String, byte[]> have = current.getOrDefault(column, new HashMap<>());
      for (Map.Entry<String, Object> e : want.entrySet()) {
        byte[] stored = have.get(e.getKey());
        if (stored == null) {
          out.add(new Change(Kind.MISSING_ENTRY, column, e.getKey(), e.getValue(), "files have it, the index does not"));
        } else {
          String differs = differs(column, stored, e.getValue());
          if (differs != null) {
            out.add(new Change(Kind.WRONG_ENTRY, column, e.getKey(), e.getValue(), differs));
          }
        }
      }
      for (String key : have.keySet()) {
        if (!want.containsKey(key)) {
          out.add(new Change(Kind.STALE_ENTRY, column, key, null, "no file justifies it"));
        }
      }
    }
    return out;
  }

  /** How a stored entry differs in substance from the derived one, or null when it does not. */
  private static @Nullable String differs(Column column, byte[] stored, Object derived) {
    return switch (column) {
      case BLOBS -> {
        long have = Records.decode(stored, BlobRecord.class).size();
        long want = ((BlobRecord) derived).size();
        yield have == want ? null : "index says " + have + " bytes, the file has " + want;
      }
      case MANIFESTS -> {
        ManifestRecord have = Records.decode(stored, ManifestRecord.class);
        ManifestRecord want = (ManifestRecord) derived;
        boolean same = have.mediaType().equals(want.mediaType()) && have.size() == want.size()
            && have.references().equals(want.references()) && Objects.equals(have.subject(), want.subject())
            && Objects.equals(have.artifactType(), want.artifactType());
        yield same ? null : "index says " + have + ", the manifest " + want;
      }
      case TAGS -> {
        String have = Records.decode(stored, TagRecord.class).digest();
        String want = ((TagRecord) derived).digest();
        yield have.equals(want) ? null : "index says " + have + ", the link " + want;
      }
      case REFERRERS -> {
        ReferrerRecord have = Records.decode(stored, ReferrerRecord.class);
        yield have.equals(derived) ? null : "index says " + have + ", the manifest " + derived;
      }
      default -> null; // REPOSITORIES and LAYERS: presence is all they say
    };
  }

  /** Writes changes in synced batches. */
  static void apply(Index index, List<Change> changes) {
    IndexBatch batch = new IndexBatch();
    int n = 0;
    for (Change c : changes) {
      if (c.value() == null) {
        batch.delete(c.column(), c.key());
      } else {
        batch.put(c.column(), c.key(), c.value());
      }
      if (++n % BATCH == 0) {
        index.write(batch);
        batch = new IndexBatch();
      }
    }
    if (!batch.isEmpty()) {
      index.write(batch);
    }
  }
}

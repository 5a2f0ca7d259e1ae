package io.wharf.storage.index;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Puts and deletes that reach the index together or not at all. Not thread-safe; build, then write. */
public final class IndexBatch {
  /** One put (value set) or delete (value null). */
  public record Op(Column column, String key, byte @Nullable [] value) {}

  private final List<Op> ops = new ArrayList<>();

  public IndexBatch put(Column column, String key, Object record) {
    ops.add(new Op(column, key, record instanceof byte[] b ? b : Records.encode(record)));
    return this;
  }

  public IndexBatch delete(Column column, String key) {
    ops.add(new Op(column, key, null));
    return this;
  }

  public IndexBatch addAll(IndexBatch other) {
    ops.addAll(other.ops);
    return this;
  }

  public List<Op> ops() {
    return List.copyOf(ops);
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }
}

package io.wharf.storage;

import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The repositories that have content, for the catalog. Thread-safe. */
public final class RepositoryStore {
  private final Index index;

  RepositoryStore(Index index) {
    this.index = index;
  }

  public boolean exists(RepositoryName repo) {
    return index.contains(Column.REPOSITORIES, repo.value());
  }

  /** Up to {@code limit} repository names in lexical order, after {@code last} when given. */
  public List<String> list(@Nullable String last, int limit) {
    List<String> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    index.scan(Column.REPOSITORIES, "", last, (key, value) -> {
      out.add(key);
      return out.size() < limit;
    });
    return out;
  }
}

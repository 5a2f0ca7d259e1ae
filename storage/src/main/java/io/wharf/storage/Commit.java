package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.layout.Layout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file steps and index entries of one commit, gathered before anything is written, then run by
 * the {@link Journal}: files first, index last.
 */
final class Commit {
  private final Layout layout;
  private final List<FileOp> files = new ArrayList<>();
  private final IndexBatch index = new IndexBatch();

  Commit(Layout layout) {
    this.layout = layout;
  }

  Commit move(Path from, Path to) {
    files.add(new FileOp.Move(layout.relative(from), layout.relative(to)));
    return this;
  }

  Commit link(Path link, Digest digest) {
    files.add(new FileOp.WriteLink(layout.relative(link), digest.toString()));
    return this;
  }

  Commit deleteTree(Path path) {
    files.add(new FileOp.DeleteTree(layout.relative(path)));
    return this;
  }

  Commit put(Column column, String key, Object record) {
    index.put(column, key, record);
    return this;
  }

  Commit delete(Column column, String key) {
    index.delete(column, key);
    return this;
  }

  List<FileOp> files() {
    return List.copyOf(files);
  }

  IndexBatch index() {
    return index;
  }
}

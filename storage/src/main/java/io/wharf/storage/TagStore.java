package io.wharf.storage;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Tags of repositories. Tagging happens with a manifest push ({@link ManifestStore#put}); this
 * store reads, lists and deletes them.
 *
 * <p>Thread-safe.
 */
public final class TagStore {
  private final Layout layout;
  private final Index index;
  private final Journal journal;
  private final RepositoryLocks locks;

  TagStore(Layout layout, Index index, Journal journal, RepositoryLocks locks) {
    this.layout = layout;
    this.index = index;
    this.journal = journal;
    this.locks = locks;
  }

  public Optional<TagRecord> find(RepositoryName repo, Tag tag) {
    return index.get(Column.TAGS, Keys.inRepo(repo, tag.value()), TagRecord.class);
  }

  /**
   * Records that a tag was confirmed against its upstream at {@code checkedAt} (epoch millis). Not
   * synced: losing it costs one more upstream check after a crash, and a tag check must never wait
   * for an fsync.
   */
  public void touch(RepositoryName repo, Tag tag, long checkedAt) {
    find(repo, tag).ifPresent(t -> index.writeUnsynced(new IndexBatch()
        .put(Column.TAGS, Keys.inRepo(repo, tag.value()), new TagRecord(t.digest(), t.updatedAt(), checkedAt))));
  }

  /** Up to {@code limit} tags in lexical order, after {@code last} when given. */
  public List<String> list(RepositoryName repo, @Nullable String last, int limit) {
    List<String> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    String prefix = Keys.repoPrefix(repo);
    index.scan(Column.TAGS, prefix, last == null ? null : prefix + last, (key, value) -> {
      out.add(Keys.last(key));
      return out.size() < limit;
    });
    return out;
  }

  /**
   * Removes a tag; the manifest it pointed at stays.
   *
   * @throws OciException MANIFEST_UNKNOWN when there is no such tag
   */
  public void delete(RepositoryName repo, Tag tag) {
    ReentrantLock lock = locks.of(repo);
    lock.lock();
    try {
      if (find(repo, tag).isEmpty()) {
        throw new OciException(OciError.MANIFEST_UNKNOWN, "tag unknown: " + tag);
      }
      journal.run(
          new Commit(layout).deleteTree(layout.tagDir(repo, tag)).delete(Column.TAGS, Keys.inRepo(repo, tag.value())),
          CrashPoint.MANIFEST);
    } finally {
      lock.unlock();
    }
  }
}

package io.wharf.storage;

import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of the manifests and tags of the index, read once, for the questions images, eviction
 * and GC ask of it: which manifests of a repository are roots (images), and what an image's closure
 * holds. Digests are kept as the index writes them ({@code alg:hex}).
 *
 * <p>Not thread-safe; a snapshot, so it may be stale the moment it is loaded: callers that delete
 * check again under the repository's lock.
 */
final class ContentGraph {
  /** repo -> manifest digest -> its record, repositories and digests in lexical order. */
  private final Map<RepositoryName, Map<String, ManifestRecord>> manifests = new TreeMap<>();
  /** repo -> tag -> digest. */
  private final Map<RepositoryName, Map<String, String>> tags = new TreeMap<>();

  private ContentGraph() {}

  /** Reads every manifest and tag, or only those of one repository. */
  static ContentGraph load(Index index, @Nullable RepositoryName only) {
    ContentGraph g = new ContentGraph();
    String prefix = only == null ? "" : Keys.repoPrefix(only);
    index.scan(Column.MANIFESTS, prefix, null, (key, value) -> {
      int sep = key.indexOf(Keys.SEP);
      g.manifests.computeIfAbsent(RepositoryName.parse(key.substring(0, sep)), r -> new TreeMap<>())
          .put(key.substring(sep + 1), Records.decode(value, ManifestRecord.class));
      return true;
    });
    index.scan(Column.TAGS, prefix, null, (key, value) -> {
      int sep = key.indexOf(Keys.SEP);
      g.tags.computeIfAbsent(RepositoryName.parse(key.substring(0, sep)), r -> new TreeMap<>())
          .put(key.substring(sep + 1), Records.decode(value, TagRecord.class).digest());
      return true;
    });
    return g;
  }

  Set<RepositoryName> repositories() {
    return manifests.keySet();
  }

  Map<String, ManifestRecord> manifestsOf(RepositoryName repo) {
    return manifests.getOrDefault(repo, Map.of());
  }

  /** Every manifest record of every repository, for marking. */
  Iterable<Map.Entry<RepositoryName, Map<String, ManifestRecord>>> all() {
    return manifests.entrySet();
  }

  /** tag -> digest of a repository. */
  Map<String, String> tagsOf(RepositoryName repo) {
    return tags.getOrDefault(repo, Map.of());
  }

  /** Every tag's digest, in every repository. */
  Set<String> taggedDigests() {
    Set<String> out = new HashSet<>();
    tags.values().forEach(t -> out.addAll(t.values()));
    return out;
  }

  /** The tags of a repository that point at one of these digests, in lexical order. */
  List<String> tagsPointingAt(RepositoryName repo, Set<String> digests) {
    List<String> out = new ArrayList<>();
    tagsOf(repo).forEach((tag, digest) -> {
      if (digests.contains(digest)) {
        out.add(tag);
      }
    });
    return out;
  }

  /**
   * The images of a repository: manifests no other manifest of the repository references (an
   * index's platform manifests belong to the index's image). A referrer (a signature, say) names its
   * subject outside its references, so it is an image of its own.
   */
  List<String> roots(RepositoryName repo) {
    Map<String, ManifestRecord> own = manifestsOf(repo);
    Set<String> referenced = new HashSet<>();
    own.forEach((digest, record) -> {
      for (String ref : record.references()) {
        if (!ref.equals(digest) && own.containsKey(ref)) {
          referenced.add(ref);
        }
      }
    });
    List<String> out = new ArrayList<>();
    for (String digest : own.keySet()) {
      if (!referenced.contains(digest)) {
        out.add(digest);
      }
    }
    return out;
  }

  /** An image's closure: the manifests of the repository it reaches, itself first. */
  Set<String> closureManifests(RepositoryName repo, String root) {
    Map<String, ManifestRecord> own = manifestsOf(repo);
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    todo.add(root);
    while (!todo.isEmpty()) {
      String d = todo.poll();
      ManifestRecord r = own.get(d);
      if (r == null || !seen.add(d)) {
        continue;
      }
      todo.addAll(r.references());
    }
    return seen;
  }

  /** Every digest an image's closure holds: its manifests and every blob they reference. */
  Set<String> closure(RepositoryName repo, String root) {
    Map<String, ManifestRecord> own = manifestsOf(repo);
    Set<String> out = new LinkedHashSet<>();
    for (String m : closureManifests(repo, root)) {
      out.add(m);
      out.addAll(own.get(m).references());
    }
    return out;
  }
}

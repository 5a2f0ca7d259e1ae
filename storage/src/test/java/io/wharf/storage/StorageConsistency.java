package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
import io.wharf.oci.Digester;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.BlobRecord;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.Keys;
import io.wharf.storage.index.ManifestRecord;
import io.wharf.storage.index.Records;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.Layout;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Walks the index against the files of a data folder and lists every way they disagree: what a
 * restart after a crash must never leave behind. Test code, published in the storage test-jar so
 * that the proxy's integration tests can check the data folder a killed daemon left.
 *
 * <p>Checks, both ways where both sides exist:
 *
 * <ul>
 *   <li>every BLOBS entry has a data file of that size and digest; every data file under
 *       {@code blobs/} has a BLOBS entry;
 *   <li>LAYERS entries and {@code _layers/<alg>/<hex>/link} files; MANIFESTS entries and
 *       {@code _manifests/revisions/<alg>/<hex>/link} files; TAGS entries and
 *       {@code _manifests/tags/<tag>/current/link} files (and the tag's index link for its
 *       digest); every link file holds exactly {@code <alg>:<hex>}, no newline;
 *   <li>what entries point at exists: a layer's or manifest's blob, a tag's manifest, a referrer's
 *       manifest, a repository's REPOSITORIES entry;
 *   <li>nothing an interrupted write leaves: no files in {@code _wharf/tmp}, no upload session
 *       folders ({@code _uploads/<id>}), no UPLOADS entries, an empty JOURNAL.
 * </ul>
 */
public final class StorageConsistency {
  private StorageConsistency() {}

  /**
   * Opens the storage in {@code dataRoot} (which runs start-up recovery), walks it, and closes it.
   *
   * @return one line per difference; empty when index and files agree
   */
  public static List<String> differences(Path dataRoot) {
    try (Storage storage = Storage.open(dataRoot)) {
      return differences(storage);
    }
  }

  /**
   * Walks an open storage. Upload sessions in progress count as differences, so call it when no
   * request is running.
   */
  public static List<String> differences(Storage storage) {
    Walk walk = new Walk(storage.layout(), storage.index());
    walk.blobs();
    walk.repositoryFiles();
    walk.compareLinks();
    walk.references();
    walk.leftovers();
    return List.copyOf(walk.found);
  }

  private static final class Walk {
    private final Layout layout;
    private final Index index;
    private final List<String> found = new ArrayList<>();
    private final Set<String> blobKeys = new HashSet<>();
    private final Set<String> fileLayers = new TreeSet<>();
    private final Set<String> fileRevisions = new TreeSet<>();
    private final Map<String, String> fileTags = new LinkedHashMap<>();
    private final Set<String> fileTagIndex = new HashSet<>();

    Walk(Layout layout, Index index) {
      this.layout = layout;
      this.index = index;
    }

    void blobs() {
      Map<String, Long> sizes = new HashMap<>();
      index.scan(Column.BLOBS, "", null, (key, value) -> {
        blobKeys.add(key);
        sizes.put(key, Records.decode(value, BlobRecord.class).size());
        return true;
      });
      for (Map.Entry<String, Long> e : sizes.entrySet()) {
        Digest digest = digestOrReport(e.getKey(), "BLOBS key");
        if (digest == null) {
          continue;
        }
        Path data = layout.blobData(digest);
        if (!Files.isRegularFile(data)) {
          found.add("BLOBS " + digest + " has no data file " + data);
          continue;
        }
        long size = data.toFile().length();
        if (size != e.getValue()) {
          found.add("BLOBS " + digest + " says " + e.getValue() + " bytes, its data file has " + size);
        }
        Digest actual = hash(data, digest.algorithm());
        if (!actual.equals(digest)) {
          found.add("blob data of " + digest + " hashes to " + actual);
        }
      }
      for (Path file : all(layout.blobsRoot()).stream().filter(Files::isRegularFile).toList()) {
        String[] parts = components(layout.blobsRoot(), file);
        Digest digest = parts.length == 4 && parts[3].equals("data") ? digestOrReport(parts[0] + ":" + parts[2], "blob path " + file) : null;
        if (digest == null || !parts[1].equals(digest.prefix())) {
          found.add("stray file under blobs: " + file);
        } else if (!blobKeys.contains(digest.toString())) {
          found.add("blob file " + file + " has no BLOBS entry");
        }
      }
    }

    void repositoryFiles() {
      Path root = layout.repositoriesRoot();
      for (Path path : all(root)) {
        String[] parts = components(root, path);
        int marker = marker(parts);
        boolean directory = Files.isDirectory(path);
        if (marker < 0) {
          if (!directory) {
            found.add("stray file under repositories: " + path);
          }
          continue;
        }
        String repoText = String.join("/", Arrays.copyOfRange(parts, 0, marker));
        RepositoryName repo;
        try {
          repo = RepositoryName.parse(repoText);
        } catch (OciException e) {
          found.add("repository folder with an invalid name: " + path);
          continue;
        }
        classify(repo, Arrays.copyOfRange(parts, marker, parts.length), path, directory);
      }
    }

    private void classify(RepositoryName repo, String[] rest, Path path, boolean directory) {
      String kind = rest[0];
      if (kind.equals("_uploads")) {
        // distribution, too, keeps the empty _uploads folder once its sessions are gone
        if (rest.length == 2) {
          found.add("upload session left behind: " + path);
        }
        return;
      }
      if (kind.equals("_layers") && rest.length == 3 && directory) {
        requireFile(path.resolve("link"), "layer folder without a link");
      } else if (kind.equals("_layers") && rest.length == 4 && rest[3].equals("link") && !directory) {
        Digest d = linkedDigest(path, rest[1], rest[2]);
        if (d != null) {
          fileLayers.add(Keys.inRepo(repo, d));
        }
      } else if (is(rest, "_manifests", "revisions") && rest.length == 4 && directory) {
        requireFile(path.resolve("link"), "revision folder without a link");
      } else if (is(rest, "_manifests", "revisions") && rest.length == 5 && rest[4].equals("link") && !directory) {
        Digest d = linkedDigest(path, rest[2], rest[3]);
        if (d != null) {
          fileRevisions.add(Keys.inRepo(repo, d));
        }
      } else if (is(rest, "_manifests", "tags") && rest.length == 3 && directory) {
        requireFile(path.resolve("current/link"), "tag folder without current/link");
      } else if (is(rest, "_manifests", "tags") && rest.length == 5 && rest[3].equals("current") && rest[4].equals("link")) {
        String text = exactLink(path);
        if (text != null) {
          fileTags.put(Keys.inRepo(repo, rest[2]), text);
        }
      } else if (is(rest, "_manifests", "tags") && rest.length == 7 && rest[3].equals("index") && rest[6].equals("link")) {
        Digest d = linkedDigest(path, rest[4], rest[5]);
        if (d != null) {
          fileTagIndex.add(Keys.of(repo.value(), rest[2], d.toString()));
        }
      } else if (!directory) {
        found.add("stray file in repository " + repo + ": " + path);
      }
    }

    void compareLinks() {
      Set<String> layers = new TreeSet<>(index.keys(Column.LAYERS, ""));
      compare("LAYERS", layers, "_layers link", fileLayers);
      Set<String> manifests = new TreeSet<>(index.keys(Column.MANIFESTS, ""));
      compare("MANIFESTS", manifests, "revision link", fileRevisions);
      Map<String, String> tags = new LinkedHashMap<>();
      index.scan(Column.TAGS, "", null, (key, value) -> {
        tags.put(key, Records.decode(value, TagRecord.class).digest());
        return true;
      });
      compare("TAGS", tags.keySet(), "tag current link", fileTags.keySet());
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        String onDisk = fileTags.get(tag.getKey());
        if (onDisk != null && !onDisk.equals(tag.getValue())) {
          found.add("tag " + show(tag.getKey()) + " is " + tag.getValue() + " in TAGS but " + onDisk + " on disk");
        }
        String repo = tag.getKey().substring(0, tag.getKey().indexOf(Keys.SEP));
        if (!fileTagIndex.contains(Keys.of(tag.getKey(), tag.getValue()))) {
          found.add("tag " + show(tag.getKey()) + " has no index link for " + tag.getValue());
        }
        if (!manifests.contains(Keys.of(repo, tag.getValue()))) {
          found.add("tag " + show(tag.getKey()) + " points at " + tag.getValue() + ", not a manifest of " + repo);
        }
      }
    }

    void references() {
      Set<String> repositories = new HashSet<>(index.keys(Column.REPOSITORIES, ""));
      for (Column c : List.of(Column.LAYERS, Column.MANIFESTS, Column.TAGS)) {
        for (String key : index.keys(c, "")) {
          String repo = key.substring(0, key.indexOf(Keys.SEP));
          if (!repositories.contains(repo)) {
            found.add(c + " " + show(key) + " has no REPOSITORIES entry");
          }
          if (c != Column.TAGS && !blobKeys.contains(Keys.last(key))) {
            found.add(c + " " + show(key) + " has no BLOBS entry");
          }
        }
      }
      index.scan(Column.MANIFESTS, "", null, (key, value) -> {
        long size = Records.decode(value, ManifestRecord.class).size();
        Optional<BlobRecord> blob = index.get(Column.BLOBS, Keys.last(key), BlobRecord.class);
        if (blob.isPresent() && blob.get().size() != size) {
          found.add("MANIFESTS " + show(key) + " says " + size + " bytes, its blob " + blob.get().size());
        }
        return true;
      });
      for (String key : index.keys(Column.REFERRERS, "")) {
        String[] parts = key.split(String.valueOf(Keys.SEP), -1);
        Optional<ManifestRecord> m = index.get(Column.MANIFESTS, Keys.of(parts[0], parts[2]), ManifestRecord.class);
        if (m.isEmpty()) {
          found.add("REFERRERS " + show(key) + " names no manifest");
        } else if (!parts[1].equals(m.get().subject())) {
          found.add("REFERRERS " + show(key) + " but the manifest's subject is " + m.get().subject());
        }
      }
    }

    void leftovers() {
      for (Path p : list(layout.tmpDir())) {
        found.add("temp file left behind: " + p);
      }
      for (String id : index.keys(Column.UPLOADS, "")) {
        found.add("UPLOADS entry left behind: " + id);
      }
      for (String id : index.keys(Column.JOURNAL, "")) {
        found.add("JOURNAL entry not rolled forward: " + id);
      }
    }

    private void compare(String column, Set<String> indexed, String fileKind, Set<String> onDisk) {
      for (String key : indexed) {
        if (!onDisk.contains(key)) {
          found.add(column + " " + show(key) + " has no " + fileKind);
        }
      }
      for (String key : onDisk) {
        if (!indexed.contains(key)) {
          found.add(fileKind + " " + show(key) + " has no " + column + " entry");
        }
      }
    }

    /** The digest a link file holds, which must be exactly {@code alg:hex} of its own path. */
    private @Nullable Digest linkedDigest(Path link, String algorithm, String hex) {
      Digest expected = digestOrReport(algorithm + ":" + hex, "link path " + link);
      String text = exactLink(link);
      if (expected == null || text == null) {
        return null;
      }
      if (!text.equals(expected.toString())) {
        found.add("link " + link + " holds " + text + ", its path names " + expected);
        return null;
      }
      return expected;
    }

    /** A link file's text when it is exactly one digest (no newline, no spaces). */
    private @Nullable String exactLink(Path link) {
      String text;
      try {
        text = new String(Files.readAllBytes(link), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!Digest.isDigest(text)) {
        found.add("link " + link + " does not hold exactly a digest: '" + text + "'");
        return null;
      }
      return text;
    }

    private @Nullable Digest digestOrReport(String text, String what) {
      try {
        return Digest.parse(text);
      } catch (OciException e) {
        found.add(what + " is not a digest: " + text);
        return null;
      }
    }

    private void requireFile(Path file, String problem) {
      if (!Files.isRegularFile(file)) {
        found.add(problem + ": " + file.getParent());
      }
    }
  }

  /** The index of the first component that is distribution's, not the repository name's. */
  private static int marker(String[] parts) {
    for (int i = 0; i < parts.length; i++) {
      // a name component starts with [a-z0-9], so these never belong to a name
      if (parts[i].equals("_layers") || parts[i].equals("_manifests") || parts[i].equals("_uploads")) {
        return i;
      }
    }
    return -1;
  }

  private static boolean is(String[] rest, String first, String second) {
    return rest.length >= 2 && rest[0].equals(first) && rest[1].equals(second);
  }

  private static String show(String key) {
    return key.replace(Keys.SEP, ' ');
  }

  private static String[] components(Path root, Path path) {
    Path rel = root.relativize(path);
    String[] out = new String[rel.getNameCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rel.getName(i).toString();
    }
    return out;
  }

  private static List<Path> all(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.equals(root)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Digest hash(Path file, DigestAlgorithm algorithm) {
    Digester d = Digester.of(algorithm);
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return d.digest();
  }
}

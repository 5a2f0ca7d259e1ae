package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.LinkFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One walk of the distribution layout's files, without the index: the blob files, the layer,
 * revision and tag links, and whatever does not belong there. What {@link IndexRebuild} and
 * {@link Fsck} derive an index from.
 *
 * <p>A link is read as serving reads it ({@link LinkFile#read}) and taken only when it holds the
 * digest its path names (distribution writes both); anything else is listed as a {@link BadLink}. Files deleted while the walk runs are
 * skipped, so it can run beside a serving daemon.
 */
final class LayoutScan {
  /** A file at {@code blobs/<alg>/<hex[0:2]>/<hex>/data}. */
  record FoundBlob(Digest digest, Path path, long size, long modifiedAt) {}

  /** A {@code _layers} or {@code _manifests/revisions} link whose content matches its path. */
  record FoundLink(RepositoryName repo, Digest digest, Path dir, long modifiedAt) {}

  /** A tag's {@code current/link}. */
  record FoundTag(RepositoryName repo, Tag tag, Digest digest, Path dir, long modifiedAt) {}

  /** A link folder whose link is missing, unreadable, or names another digest than its path. */
  record BadLink(Path dir, String problem, @Nullable RepositoryName repo, @Nullable Digest pathDigest, String kind) {}

  final List<FoundBlob> blobs = new ArrayList<>();
  final List<FoundLink> layers = new ArrayList<>();
  final List<FoundLink> revisions = new ArrayList<>();
  final List<FoundTag> tags = new ArrayList<>();
  final List<BadLink> badLinks = new ArrayList<>();
  /** Files that have no place in the layout (a blob tree entry of no digest, a note in a repository). */
  final List<Path> strays = new ArrayList<>();
  /** Repository name -> the earliest modification time seen among its links (its folder's when it has none). */
  final TreeMap<RepositoryName, Long> repositories = new TreeMap<>();
  private final TreeSet<String> invalidRepositories = new TreeSet<>();

  private final Layout layout;

  private LayoutScan(Layout layout) {
    this.layout = layout;
  }

  static LayoutScan of(Layout layout) {
    LayoutScan scan = new LayoutScan(layout);
    try {
      scan.walkBlobs();
      scan.walkRepositories();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot walk " + layout.root(), e);
    }
    return scan;
  }

  /** Whether the layout holds any content at all (a blob or a repository). */
  static boolean hasContent(Layout layout) {
    return nonEmpty(layout.blobsRoot()) || nonEmpty(layout.repositoriesRoot()) || nonEmpty(layout.pinsRoot());
  }

  private static boolean nonEmpty(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var list = Files.list(dir)) {
      return list.findAny().isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private void walkBlobs() throws IOException {
    Path root = layout.blobsRoot();
    if (!Files.isDirectory(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        Path rel = root.relativize(file);
        Digest digest = blobDigest(rel);
        if (digest == null || !attrs.isRegularFile()) {
          strays.add(file);
        } else {
          blobs.add(new FoundBlob(digest, file, attrs.size(), attrs.lastModifiedTime().toMillis()));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // deleted meanwhile (GC, eviction)
        }
        throw e;
      }
    });
  }

  private static @Nullable Digest blobDigest(Path rel) {
    if (rel.getNameCount() != 4 || !rel.getName(3).toString().equals("data")) {
      return null;
    }
    Optional<DigestAlgorithm> algorithm = DigestAlgorithm.find(rel.getName(0).toString());
    if (algorithm.isEmpty()) {
      return null;
    }
    Digest digest = digestOrNull(algorithm.get().label() + ":" + rel.getName(2));
    return digest != null && digest.prefix().equals(rel.getName(1).toString()) ? digest : null;
  }

  private void walkRepositories() throws IOException {
    Path root = layout.repositoriesRoot();
    if (!Files.isDirectory(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        String name = dir.getFileName().toString();
        boolean marker = name.equals("_layers") || name.equals("_manifests") || name.equals("_uploads");
        if (!marker) {
          return FileVisitResult.CONTINUE;
        }
        RepositoryName repo = repositoryOf(root, dir.getParent());
        if (repo == null) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        if (!name.equals("_uploads")) {
          // an upload folder alone is no repository: the index gains one only with a commit
          repositories.merge(repo, attrs.lastModifiedTime().toMillis(), Math::min);
        }
        switch (name) {
          case "_layers" -> links(repo, dir, layers, "layer");
          case "_manifests" -> {
            links(repo, dir.resolve("revisions"), revisions, "revision");
            tags(repo, dir.resolve("tags"));
          }
          default -> { } // _uploads: sessions, which start-up deletes and no index entry names
        }
        return FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        strays.add(file); // a file beside repository folders: no layout has one there
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }

  private @Nullable RepositoryName repositoryOf(Path root, Path dir) {
    String text = root.relativize(dir).toString().replace(dir.getFileSystem().getSeparator(), "/");
    try {
      return RepositoryName.parse(text);
    } catch (OciException | IllegalArgumentException e) {
      if (invalidRepositories.add(text)) {
        strays.add(dir);
      }
      return null;
    }
  }

  /** {@code <base>/<alg>/<hex>/link} for layers and revisions. */
  private void links(RepositoryName repo, Path base, List<FoundLink> into, String kind) throws IOException {
    for (Path algDir : list(base)) {
      for (Path dir : list(algDir)) {
        if (!Files.isDirectory(dir)) {
          strays.add(dir);
          continue;
        }
        Digest pathDigest = digestOrNull(algDir.getFileName() + ":" + dir.getFileName());
        if (pathDigest == null) {
          badLinks.add(new BadLink(dir, "folder name is not a digest", repo, null, kind));
          continue;
        }
        Path link = dir.resolve("link");
        Long modified = modifiedAt(link);
        Optional<Digest> held = modified == null ? Optional.empty() : LinkFile.read(link);
        if (modified == null) {
          badLinks.add(new BadLink(dir, "no link file", repo, pathDigest, kind));
        } else if (held.isEmpty() || !held.get().equals(pathDigest)) {
          badLinks.add(new BadLink(dir, "link does not hold " + pathDigest, repo, pathDigest, kind));
        } else {
          into.add(new FoundLink(repo, pathDigest, dir, modified));
          repositories.merge(repo, modified, Math::min);
        }
      }
    }
  }

  /** {@code tags/<tag>/current/link}; the per-tag index links are history, not state. */
  private void tags(RepositoryName repo, Path base) throws IOException {
    for (Path dir : list(base)) {
      String name = dir.getFileName().toString();
      if (!Tag.isTag(name) || !Files.isDirectory(dir)) {
        strays.add(dir);
        continue;
      }
      Path link = dir.resolve("current/link");
      Long modified = modifiedAt(link);
      Optional<Digest> held = modified == null ? Optional.empty() : LinkFile.read(link);
      if (held.isEmpty()) {
        badLinks.add(new BadLink(dir, modified == null ? "no current link" : "current link holds no digest", repo, null, "tag"));
      } else {
        tags.add(new FoundTag(repo, new Tag(name), held.get(), dir, modified));
      }
    }
  }

  private static @Nullable Long modifiedAt(Path file) throws IOException {
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      return attrs.isRegularFile() ? attrs.lastModifiedTime().toMillis() : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var list = Files.list(dir)) {
      return list.sorted().toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  private static @Nullable Digest digestOrNull(String text) {
    try {
      return Digest.parse(text);
    } catch (OciException e) {
      return null;
    }
  }
}

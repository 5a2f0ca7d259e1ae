package io.wharf.storage;

import io.wharf.storage.layout.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Finds every {@code _uploads} folder under the repositories, skipping the link trees. */
final class UploadFolders {
  private UploadFolders() {}

  /** Deletes every {@code _uploads} folder; returns how many upload sessions they held. */
  static int deleteAll(Path repositoriesRoot) throws IOException {
    if (!Files.isDirectory(repositoriesRoot)) {
      return 0;
    }
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(
        repositoriesRoot,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            String name = dir.getFileName().toString();
            if (name.equals("_uploads")) {
              found.add(dir);
              return FileVisitResult.SKIP_SUBTREE;
            }
            return name.equals("_layers") || name.equals("_manifests") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }
        });
    int sessions = 0;
    for (Path uploads : found) {
      try (var list = Files.list(uploads)) {
        sessions += (int) list.count();
      }
      AtomicFiles.deleteTree(uploads);
    }
    return sessions;
  }
}

package io.wharf.storage.layout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Durable file primitives: every committed file is written to a temp file, fsynced, renamed
 * atomically into place, and its directory fsynced, so a crash leaves the old file or the new one,
 * never a torn one. New directories are fsynced into their parents too, or a crash could lose them.
 *
 * <p>Stateless and thread-safe. I/O failures surface as {@link UncheckedIOException}.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code content} to {@code target} atomically and durably, through a temp file in {@code tmpDir}. */
  public static void write(Path target, byte[] content, Path tmpDir) {
    Path tmp = tmpDir.resolve("w-" + UUID.randomUUID());
    try {
      createDirectories(tmpDir);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      move(tmp, target);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw StorageFailure.of("cannot write " + target, e);
    }
  }

  /**
   * Renames an already-fsynced file into place atomically (replacing what was there), creating and
   * fsyncing missing parent directories, then fsyncs the target's directory.
   */
  public static void move(Path source, Path target) {
    try {
      createDirectories(target.getParent());
      try {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("data folder must be one file system: " + e.getMessage(), e);
      }
      fsyncDirectory(target.getParent());
      if (!source.getParent().equals(target.getParent())) {
        fsyncDirectory(source.getParent());
      }
    } catch (IOException e) {
      throw StorageFailure.of("cannot move " + source + " to " + target, e);
    }
  }

  /** Creates a directory and its missing parents, fsyncing each parent that gained an entry. */
  public static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    List<Path> created = new ArrayList<>();
    Path p = dir;
    while (p != null && !Files.isDirectory(p)) {
      created.add(p);
      p = p.getParent();
    }
    for (int i = created.size() - 1; i >= 0; i--) {
      try {
        Files.createDirectory(created.get(i));
      } catch (FileAlreadyExistsException raced) {
        if (!Files.isDirectory(created.get(i))) {
          throw raced;
        }
      }
    }
    for (Path c : created) {
      fsyncDirectory(c.getParent());
    }
  }

  /** fsync(2) on a directory, which makes the entries created or renamed in it durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Deletes a file or a whole tree if present, then fsyncs the parent. */
  public static void deleteTree(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        try {
          Files.deleteIfExists(p);
        } catch (DirectoryNotEmptyException raced) {
          // a concurrent writer added an entry; it will be cleaned on its own terms
        }
      }
      fsyncDirectory(path.getParent());
    } catch (NoSuchFileException gone) {
      // raced with another delete: the goal is reached
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }

  /** Best-effort delete, for cleaning up after a failure that is already being reported. */
  public static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // the failure being reported matters more; start-up cleaning catches leftovers
    }
  }
}

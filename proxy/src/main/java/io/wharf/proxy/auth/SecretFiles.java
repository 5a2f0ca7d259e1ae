package io.wharf.proxy.auth;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The account files in the data folder: written owner-only (0600) from the first byte, through a
 * temp file beside the target that is fsynced and renamed into place, so a crash leaves the old
 * file or the new one and a secret is never readable by others, not even for a moment.
 *
 * <p>Failures are {@link OciException} UNKNOWN with the file's path in the message: they reach an
 * operator (at start-up, or from the CLI), who needs to know which file to look at.
 */
final class SecretFiles {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final String TEMP_SUFFIX = ".tmp";

  private SecretFiles() {}

  /** Writes {@code content} (UTF-8) to {@code file} atomically and durably, mode 0600. */
  static void write(Path file, String content) {
    Path dir = file.toAbsolutePath().getParent();
    Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    try {
      Files.createDirectories(dir);
      try (FileChannel out = FileChannel.open(
          temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly(dir))) {
        ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      fsync(dir);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw failure("cannot write " + file, e);
    }
  }

  /** The file's content (UTF-8), or empty when there is no such file. */
  static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure("cannot read " + file + ": " + e, e);
    }
  }

  /** Deletes {@code file} if present, durably. */
  static void delete(Path file) {
    try {
      if (Files.deleteIfExists(file)) {
        fsync(file.toAbsolutePath().getParent());
      }
    } catch (IOException e) {
      throw failure("cannot delete " + file, e);
    }
  }

  /**
   * Makes an existing file owner-only again if someone widened its mode.
   *
   * @return whether the mode had to be changed
   */
  static boolean tightenMode(Path file) {
    try {
      if (!Files.exists(file) || !supportsPosix(file)) {
        return false;
      }
      if (Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
        return false;
      }
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      return true;
    } catch (IOException e) {
      throw failure("cannot set the mode of " + file + " to 0600", e);
    }
  }

  /** Removes temp files an interrupted {@link #write} of {@code file} left behind. */
  static void removeLeftovers(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String glob = "." + file.getFileName() + ".*" + TEMP_SUFFIX;
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, glob)) {
      for (Path leftover : leftovers) {
        deleteQuietly(leftover);
      }
    } catch (IOException e) {
      throw failure("cannot list " + dir, e);
    }
  }

  static OciException failure(String message, Throwable cause) {
    return new OciException(OciError.UNKNOWN, message, cause);
  }

  private static FileAttribute<?>[] ownerOnly(Path dir) throws IOException {
    return supportsPosix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
  }

  private static boolean supportsPosix(Path path) throws IOException {
    return Files.getFileStore(path).supportsFileAttributeView("posix");
  }

  private static void fsync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // the failure being reported matters more; the next open removes leftovers
    }
  }
}

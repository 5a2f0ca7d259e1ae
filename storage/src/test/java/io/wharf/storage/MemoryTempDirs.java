package io.wharf.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Temp folders in {@code /dev/shm} (tmpfs) when it exists, for tests that commit hundreds of times
 * and check logic rather than durability: there an fsync costs nothing. Real files and a real
 * RocksDB all the same; elsewhere the default temp folder.
 */
final class MemoryTempDirs implements TempDirFactory {
  private static final Path SHM = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, "wharf-storage-");
    }
    return Files.createTempDirectory("wharf-storage-");
  }
}

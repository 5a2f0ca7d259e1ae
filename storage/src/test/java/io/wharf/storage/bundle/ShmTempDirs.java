package io.wharf.storage.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** Temp folders in {@code /dev/shm} when it exists (fsync costs nothing there), as the storage tests' MemoryTempDirs. */
final class ShmTempDirs implements TempDirFactory {
  private static final Path SHM = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, "wharf-bundle-");
    }
    return Files.createTempDirectory("wharf-bundle-");
  }
}

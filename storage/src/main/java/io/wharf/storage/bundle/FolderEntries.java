package io.wharf.storage.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The files of an OCI image layout folder: {@code oci-layout}, {@code index.json} and {@code
 * manifest.json} first (so the importer knows the images before their blobs), then every file under
 * {@code blobs/} in lexical order. Nothing else in the folder is read.
 */
final class FolderEntries implements BundleEntries {
  static final List<String> LEADING = List.of("oci-layout", "index.json", "manifest.json");

  private final Path root;
  private final Iterator<String> paths;
  private final LongConsumer rawBytes;
  private @Nullable CountingInputStream open;
  private long openSize;

  FolderEntries(Path root, LongConsumer rawBytes) {
    this.root = root;
    this.rawBytes = rawBytes;
    List<String> all = new ArrayList<>();
    for (String leading : LEADING) {
      if (Files.isRegularFile(root.resolve(leading))) {
        all.add(leading);
      }
    }
    Path blobs = root.resolve("blobs");
    if (Files.isDirectory(blobs)) {
      try (Stream<Path> walk = Files.walk(blobs)) {
        walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().forEach(all::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + blobs, e);
      }
    }
    this.paths = all.iterator();
  }

  /** Total size of the files this folder will give, for a progress bar. */
  static long totalSize(Path root) {
    long total = 0;
    for (String leading : LEADING) {
      Path p = root.resolve(leading);
      try {
        total += Files.isRegularFile(p) ? Files.size(p) : 0;
      } catch (IOException ignored) {
        // only a progress estimate
      }
    }
    Path blobs = root.resolve("blobs");
    if (Files.isDirectory(blobs)) {
      try (Stream<Path> walk = Files.walk(blobs)) {
        total += walk.filter(Files::isRegularFile).mapToLong(p -> {
          try {
            return Files.size(p);
          } catch (IOException e) {
            return 0;
          }
        }).sum();
      } catch (IOException ignored) {
        // only a progress estimate
      }
    }
    return total;
  }

  @Override
  public @Nullable BundleEntry next() throws IOException {
    closeOpen();
    if (!paths.hasNext()) {
      return null;
    }
    String path = paths.next();
    Path file = root.resolve(path);
    long size = Files.size(file);
    open = new CountingInputStream(Files.newInputStream(file), rawBytes);
    openSize = size;
    return new BundleEntry(path, size, null, open);
  }

  @Override
  public String description() {
    return "OCI layout folder";
  }

  @Override
  public void close() throws IOException {
    closeOpen();
  }

  private void closeOpen() throws IOException {
    if (open != null) {
      // a skipped file was never read: its bytes still count as done
      long rest = openSize - open.count();
      if (rest > 0) {
        rawBytes.accept(rest);
      }
      open.close();
      open = null;
    }
  }
}

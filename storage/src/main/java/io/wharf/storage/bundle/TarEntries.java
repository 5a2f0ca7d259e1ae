package io.wharf.storage.bundle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jspecify.annotations.Nullable;

/** The entries of a tar stream (already decompressed), read sequentially: regular files and links. */
final class TarEntries implements BundleEntries {
  private final TarArchiveInputStream tar;
  private final InputStream source;
  private final String description;

  TarEntries(InputStream decompressed, InputStream source, String description) {
    this.tar = new TarArchiveInputStream(decompressed);
    this.source = source;
    this.description = description;
  }

  @Override
  public @Nullable BundleEntry next() throws IOException {
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      String path = BundlePaths.normalize(e.getName());
      if (path == null || path.isEmpty()) {
        continue;
      }
      if (e.isSymbolicLink()) {
        String target = BundlePaths.resolveLink(path, e.getLinkName());
        if (target != null) {
          return new BundleEntry(path, 0, target, InputStream.nullInputStream());
        }
      } else if (e.isLink()) {
        // a hard link names another entry of the archive by its path
        String target = BundlePaths.normalize(e.getLinkName());
        if (target != null) {
          return new BundleEntry(path, 0, target, InputStream.nullInputStream());
        }
      } else if (e.isFile()) {
        return new BundleEntry(path, e.getSize(), null, new Unclosable(tar));
      }
    }
    return null;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() throws IOException {
    try {
      tar.close();
    } finally {
      source.close();
    }
  }

  /** An entry's view of the tar stream: closing it must not close the archive. */
  private static final class Unclosable extends FilterInputStream {
    Unclosable(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}

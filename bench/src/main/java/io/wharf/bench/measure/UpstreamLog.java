package io.wharf.bench.measure;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The upstream registry's access log, read in windows: {@link #mark()} before a measurement,
 * {@link #since(long)} after it returns the access lines written in between (application log
 * lines interleaved in the same file are skipped).
 */
public final class UpstreamLog {

  private final Path file;

  public UpstreamLog(Path file) {
    this.file = requireNonNull(file, "file");
  }

  public Path file() {
    return file;
  }

  /** The current end of the log, as a byte offset. */
  public long mark() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The complete access lines written after {@code mark}. */
  public List<AccessLine> since(long mark) throws IOException {
    var lines = new ArrayList<AccessLine>();
    if (!Files.exists(file)) {
      return lines;
    }
    byte[] tail;
    try (var raf = new RandomAccessFile(file.toFile(), "r")) {
      long end = raf.length();
      if (end <= mark) {
        return lines;
      }
      long len = end - mark;
      if (len > Integer.MAX_VALUE - 16) {
        throw new IOException("upstream log grew by " + len + " bytes in one window");
      }
      tail = new byte[(int) len];
      raf.seek(mark);
      raf.readFully(tail);
    }
    String text = new String(tail, StandardCharsets.UTF_8);
    int lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      return lines; // a line still being written
    }
    for (String line : text.substring(0, lastNewline).split("\n")) {
      Optional<AccessLine> a = AccessLine.parse(line);
      a.ifPresent(lines::add);
    }
    return lines;
  }

  /**
   * Waits until the log has not grown for {@code quiet} (background cache fills of a proxy talk to
   * the upstream after its client's response is done), at most {@code max}.
   */
  public void awaitQuiet(Duration quiet, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    long size = mark();
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = mark();
      if (now != size) {
        size = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince >= quiet.toNanos()) {
        return;
      }
    }
  }
}

package io.wharf.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A server process and its direct children (nginx's workers), read from /proc: CPU time for the
 * CPU-per-GiB and CPU-per-request figures, and the peak RSS (VmHWM), which can be reset.
 */
public final class ProcessTree {

  private static final Path PROC = Path.of("/proc");
  private static final long CLOCK_TICKS = clockTicks();

  private final long pid;

  public ProcessTree(long pid) {
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive: " + pid);
    }
    this.pid = pid;
  }

  public long pid() {
    return pid;
  }

  public boolean isAlive() {
    return Files.isDirectory(PROC.resolve(Long.toString(pid)));
  }

  /** utime + stime of the process and its direct children, in seconds; NaN if it is gone. */
  public double cpuSeconds() {
    long ticks = 0;
    boolean any = false;
    for (long p : withChildren()) {
      long t = cpuTicks(p);
      if (t >= 0) {
        ticks += t;
        any = true;
      }
    }
    return any ? ticks / (double) CLOCK_TICKS : Double.NaN;
  }

  /** VmHWM of the process plus its direct children, in MiB; NaN if unreadable. */
  public double peakRssMib() {
    long kib = 0;
    boolean any = false;
    for (long p : withChildren()) {
      long k = statusKib(p, "VmHWM:");
      if (k >= 0) {
        kib += k;
        any = true;
      }
    }
    return any ? kib / 1024.0 : Double.NaN;
  }

  /** Resets VmHWM to the current RSS ({@code echo 5 > clear_refs}) for the tree; failures are ignored. */
  public void resetPeak() {
    for (long p : withChildren()) {
      try {
        Files.writeString(PROC.resolve(p + "/clear_refs"), "5");
      } catch (IOException | SecurityException e) {
        // not ours to reset (another user, or a kernel without it): the peak then covers more
      }
    }
  }

  /** The process and its direct children, by scanning /proc/[pid]/stat for the parent pid. */
  List<Long> withChildren() {
    var all = new ArrayList<Long>();
    all.add(pid);
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
      for (Path d : dirs) {
        String[] f = statFields(Long.parseLong(d.getFileName().toString()));
        // fields after the command: state(0) ppid(1)
        if (f != null && f.length > 1 && f[1].equals(Long.toString(pid))) {
          all.add(Long.parseLong(d.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      // /proc unreadable: the process alone
    }
    return all;
  }

  private static long cpuTicks(long p) {
    String[] f = statFields(p);
    // utime and stime are fields 14 and 15 of stat, so 11 and 12 after the command
    if (f == null || f.length < 13) {
      return -1;
    }
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** The fields of /proc/p/stat after "(comm)", which may itself hold spaces and parentheses. */
  private static String @Nullable [] statFields(long p) {
    try {
      String s = Files.readString(PROC.resolve(p + "/stat"), StandardCharsets.US_ASCII);
      int close = s.lastIndexOf(')');
      return close < 0 ? null : s.substring(close + 2).trim().split(" ");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long statusKib(long p, String key) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(p + "/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** sysconf(_SC_CLK_TCK) by asking getconf once; 100 on every Linux we run on. */
  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      long v = Long.parseLong(out);
      return v > 0 ? v : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}

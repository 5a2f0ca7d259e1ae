package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import io.wharf.proxy.admin.Bytes;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.storage.Progress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Shows a long task's {@link Progress} to the operator. On a terminal: one line redrawn in place,
 * with a bar (when the item's size is known), bytes, rate and the current item. Otherwise (a pipe,
 * a log, {@code TERM=dumb}): plain lines, one when an item begins and one every
 * {@link #PLAIN_INTERVAL_MILLIS} while bytes flow, so a log stays short and still shows a stalled
 * task. Either way it ends with the task's summary line.
 *
 * <p>Plain lines:
 *
 * <pre>
 * docker.io/library/nginx:1.27
 * upstream.test_5000/library/nginx@sha256:0123456789ab (28.0 MiB)
 *   12.0 MiB of 28.0 MiB, 11.9 MiB/s
 * prefetched 1 image: ...
 * </pre>
 *
 * <p>Not thread-safe: a task reports from one thread (the admin API's reader replays from one).
 */
final class ProgressDisplay implements Progress {
  static final long PLAIN_INTERVAL_MILLIS = 5_000;
  static final long REDRAW_INTERVAL_MILLIS = 100;
  private static final int BAR_WIDTH = 24;
  private static final int LINE_WIDTH = 100;

  private final PrintWriter out;
  private final boolean terminal;
  private final LongSupplier millis;
  private final long start;
  private String item = "";
  private long itemTotal = -1;
  private long itemBytes;
  private long bytes;
  private long lastOutput;
  private boolean lineDrawn;

  /**
   * @param terminal whether {@code out} is a terminal that understands {@code \r} and erase-line
   * @param millis the clock of the rate and of the plain lines' interval
   */
  ProgressDisplay(PrintWriter out, boolean terminal, LongSupplier millis) {
    this.out = requireNonNull(out, "out");
    this.terminal = terminal;
    this.millis = requireNonNull(millis, "millis");
    this.start = millis.getAsLong();
    this.lastOutput = start;
  }

  /** A display on {@code out}, a terminal when the JVM has a console and TERM is not dumb. */
  static ProgressDisplay on(PrintWriter out, Map<String, String> env) {
    String term = env.getOrDefault("TERM", "");
    boolean terminal = System.console() != null && !term.isEmpty() && !term.equals("dumb");
    return new ProgressDisplay(out, terminal, System::currentTimeMillis);
  }

  @Override
  public void begin(String item, long totalBytes) {
    this.item = item;
    this.itemTotal = totalBytes;
    this.itemBytes = 0;
    if (terminal) {
      redraw();
    } else {
      out.println(totalBytes >= 0 ? item + " (" + Bytes.format(totalBytes) + ")" : item);
      out.flush();
      lastOutput = millis.getAsLong();
    }
  }

  @Override
  public void advance(long more) {
    bytes += more;
    itemBytes += more;
    long now = millis.getAsLong();
    if (terminal) {
      if (now - lastOutput >= REDRAW_INTERVAL_MILLIS) {
        redraw();
      }
    } else if (now - lastOutput >= PLAIN_INTERVAL_MILLIS) {
      out.println("  " + amount() + ", " + rate(now));
      out.flush();
      lastOutput = now;
    }
  }

  @Override
  public void note(String message) {
    clearLine();
    out.println(message);
    if (terminal) {
      redraw();
    }
    out.flush();
  }

  /** Ends the display with the task's summary. */
  void finish(TaskSummary summary) {
    clearLine();
    out.println(summary.message());
    out.flush();
  }

  /** Ends the display after a failure: the line in progress is cleared, the error is the caller's to print. */
  void abandon() {
    clearLine();
    out.flush();
  }

  private void redraw() {
    long now = millis.getAsLong();
    StringBuilder line = new StringBuilder("\r\u001b[K");
    if (itemTotal > 0) {
      int filled = (int) Math.min(BAR_WIDTH, itemBytes * BAR_WIDTH / itemTotal);
      line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
    }
    line.append(Bytes.format(bytes)).append("  ").append(rate(now)).append("  ");
    int room = LINE_WIDTH - (line.length() - 4);
    String shown = item.length() > room && room > 3 ? "..." + item.substring(item.length() - room + 3) : item;
    line.append(shown);
    out.print(line);
    out.flush();
    lineDrawn = true;
    lastOutput = now;
  }

  private void clearLine() {
    if (terminal && lineDrawn) {
      out.print("\r\u001b[K");
      lineDrawn = false;
    }
  }

  private String amount() {
    return itemTotal >= 0
        ? Bytes.format(itemBytes) + " of " + Bytes.format(itemTotal)
        : Bytes.format(itemBytes);
  }

  private String rate(long now) {
    long elapsed = Math.max(1, now - start);
    return Bytes.format((long) (bytes * 1000.0 / elapsed)) + "/s";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ProgressDisplay[%s, %d bytes]", terminal ? "terminal" : "plain", bytes);
  }
}

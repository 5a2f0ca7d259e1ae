package io.wharf.storage;

/**
 * What a long storage task (import, export, prefetch, gc, fsck, rebuild) reports while it runs, so
 * the CLI can draw a progress bar on a terminal, print plain lines otherwise, or stream the events
 * from the daemon's admin API. Called from the task's thread; implementations must be cheap.
 */
public interface Progress {
  /** A task that reports nothing. */
  Progress NONE = new Progress() {};

  /** A new phase or item begins, e.g. "docker.io/library/nginx:1.27"; {@code totalBytes} -1 when unknown. */
  default void begin(String item, long totalBytes) {}

  /** {@code bytes} more were read, verified or written since the last call. */
  default void advance(long bytes) {}

  /** One line worth showing the operator (a skipped blob, a renamed image, a warning). */
  default void note(String message) {}
}

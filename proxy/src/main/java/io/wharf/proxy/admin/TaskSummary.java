package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a long task ended, as the operator reads it: one line of text, and the figures behind it
 * for scripts (the admin API's summary event carries both).
 *
 * @param message e.g. {@code "2 images, 9 blobs (7 fetched, 2 cached), 48.1 MiB in 3.2 s"}
 * @param counts named figures, in order: {@code images}, {@code blobsFetched}, {@code bytes}
 */
public record TaskSummary(String message, Map<String, Long> counts) {
  public TaskSummary {
    requireNonNull(message, "message");
    counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }
}

package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.storage.Progress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin API's progress stream: one JSON object per line (NDJSON,
 * {@code application/x-ndjson}), so that the CLI shows a task running in the daemon as if it ran
 * in-process. Events:
 *
 * <pre>
 * {"event":"begin","item":"docker.io/library/nginx:1.27","total":1234}   total -1 when unknown
 * {"event":"advance","bytes":65536}                                        coalesced, see below
 * {"event":"note","message":"..."}
 * {"event":"tick"}                                                          keeps an idle stream alive
 * {"event":"summary","message":"...","counts":{"images":1,...}}             last, on success
 * {"event":"error","code":"MANIFEST_UNKNOWN","message":"..."}               last, on failure
 * </pre>
 *
 * <p>{@link Writer} sends advances at most every {@link #ADVANCE_INTERVAL_MILLIS} (summed), and
 * flushes what it holds before any other event, so the byte total a reader adds up is exact.
 */
public final class ProgressEvents {
  /** The media type of the stream. */
  public static final String MEDIA_TYPE = "application/x-ndjson";
  static final long ADVANCE_INTERVAL_MILLIS = 200;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ProgressEvents() {}

  /** Turns a task's progress into event lines; thread-safe (the task and a heartbeat call it). */
  public static final class Writer implements Progress {
    private final Consumer<String> lines;
    private final LongSupplier millis;
    private long pending;
    private long lastAdvance;
    private long lastLine;
    private boolean ended;

    /**
     * @param lines receives each event line, without its newline
     * @param millis the clock coalescing advances
     */
    public Writer(Consumer<String> lines, LongSupplier millis) {
      this.lines = requireNonNull(lines, "lines");
      this.millis = requireNonNull(millis, "millis");
      this.lastAdvance = millis.getAsLong();
      this.lastLine = lastAdvance;
    }

    @Override
    public synchronized void begin(String item, long totalBytes) {
      flush();
      emit(event("begin").put("item", item).put("total", totalBytes));
    }

    @Override
    public synchronized void advance(long bytes) {
      pending += bytes;
      if (millis.getAsLong() - lastAdvance >= ADVANCE_INTERVAL_MILLIS) {
        flush();
      }
    }

    @Override
    public synchronized void note(String message) {
      flush();
      emit(event("note").put("message", message));
    }

    /** Sends held bytes, or a tick when nothing was sent for {@code idleMillis}. */
    public synchronized void heartbeat(long idleMillis) {
      if (pending > 0) {
        flush();
      } else if (millis.getAsLong() - lastLine >= idleMillis) {
        emit(event("tick"));
      }
    }

    /** The last event of a task that finished. */
    public synchronized void summary(TaskSummary summary) {
      flush();
      ObjectNode event = event("summary").put("message", summary.message());
      ObjectNode counts = event.putObject("counts");
      summary.counts().forEach(counts::put);
      emit(event);
      ended = true;
    }

    /** The last event of a task that failed. */
    public synchronized void error(OciException failure) {
      flush();
      emit(event("error").put("code", failure.error().code()).put("message", failure.getMessage()));
      ended = true;
    }

    private void flush() {
      lastAdvance = millis.getAsLong();
      if (pending > 0) {
        long bytes = pending;
        pending = 0;
        emit(event("advance").put("bytes", bytes));
      }
    }

    private void emit(ObjectNode event) {
      if (ended) {
        return;
      }
      lastLine = millis.getAsLong();
      lines.accept(event.toString());
    }

    private static ObjectNode event(String kind) {
      return JSON.createObjectNode().put("event", kind);
    }
  }

  /** What a reader makes of the stream: replays progress, keeps the end. */
  public static final class Reader {
    private final Progress progress;
    private @Nullable TaskSummary summary;
    private @Nullable OciException failure;

    public Reader(Progress progress) {
      this.progress = requireNonNull(progress, "progress");
    }

    /**
     * Reads one line of the stream.
     *
     * @throws OciException UNKNOWN for a line that is not an event
     */
    public void accept(String line) {
      if (line.isBlank()) {
        return;
      }
      JsonNode event;
      try {
        event = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new OciException(OciError.UNKNOWN, "the admin API sent a line that is not JSON: " + shorten(line));
      }
      switch (event.path("event").asText()) {
        case "begin" -> progress.begin(event.path("item").asText(), event.path("total").asLong(-1));
        case "advance" -> progress.advance(event.path("bytes").asLong());
        case "note" -> progress.note(event.path("message").asText());
        case "tick" -> { }
        case "summary" -> {
          Map<String, Long> counts = new LinkedHashMap<>();
          event.path("counts").properties().forEach(e -> counts.put(e.getKey(), e.getValue().asLong()));
          summary = new TaskSummary(event.path("message").asText(), counts);
        }
        case "error" -> failure = new OciException(errorOf(event.path("code").asText()), event.path("message").asText());
        default -> throw new OciException(OciError.UNKNOWN, "the admin API sent an unknown event: " + shorten(line));
      }
    }

    /**
     * The summary the stream ended with.
     *
     * @throws OciException the error it ended with, or UNAVAILABLE when it ended with neither
     *     (the daemon stopped mid-task)
     */
    public TaskSummary result() {
      if (failure != null) {
        throw failure;
      }
      if (summary == null) {
        throw new OciException(OciError.UNAVAILABLE, "the daemon's answer ended before the task did (was it stopped?)");
      }
      return summary;
    }

    private static OciError errorOf(String code) {
      for (OciError e : OciError.values()) {
        if (e.code().equals(code)) {
          return e;
        }
      }
      return OciError.UNKNOWN;
    }

    private static String shorten(String line) {
      return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
  }
}

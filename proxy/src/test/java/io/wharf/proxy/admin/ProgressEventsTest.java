package io.wharf.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.storage.Progress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ProgressEventsTest {
  private final List<String> lines = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(5_000);
  private final ProgressEvents.Writer writer = new ProgressEvents.Writer(lines::add, now::get);

  @Test
  void advancesAreCoalescedAndFlushedBeforeTheNextEvent() {
    writer.begin("docker.io/library/nginx:1.27", 300);
    writer.advance(100);
    writer.advance(100);
    now.addAndGet(ProgressEvents.ADVANCE_INTERVAL_MILLIS);
    writer.advance(50);
    writer.advance(50);
    writer.note("a note");
    writer.summary(new TaskSummary("done", Map.of("images", 1L)));
    writer.note("after the end"); // dropped: the stream is over

    assertThat(lines).containsExactly(
        "{\"event\":\"begin\",\"item\":\"docker.io/library/nginx:1.27\",\"total\":300}",
        "{\"event\":\"advance\",\"bytes\":250}",
        "{\"event\":\"advance\",\"bytes\":50}",
        "{\"event\":\"note\",\"message\":\"a note\"}",
        "{\"event\":\"summary\",\"message\":\"done\",\"counts\":{\"images\":1}}");
  }

  @Test
  void aHeartbeatSendsHeldBytesOrATickWhenTheStreamWasQuiet() {
    writer.advance(10);
    writer.heartbeat(1_000);
    writer.heartbeat(1_000); // nothing held, not quiet long enough
    now.addAndGet(1_000);
    writer.heartbeat(1_000);

    assertThat(lines).containsExactly("{\"event\":\"advance\",\"bytes\":10}", "{\"event\":\"tick\"}");
  }

  @Test
  void aReaderReplaysTheStreamAndKeepsTheSummary() {
    writer.begin("a", -1);
    writer.advance(7);
    writer.note("n");
    writer.heartbeat(0);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("images", 2L);
    counts.put("bytes", 7L);
    writer.summary(new TaskSummary("2 images", counts));
    List<String> seen = new ArrayList<>();
    ProgressEvents.Reader reader = new ProgressEvents.Reader(new Progress() {
      @Override
      public void begin(String item, long totalBytes) {
        seen.add("begin " + item + " " + totalBytes);
      }

      @Override
      public void advance(long bytes) {
        seen.add("advance " + bytes);
      }

      @Override
      public void note(String message) {
        seen.add("note " + message);
      }
    });

    lines.forEach(reader::accept);

    assertThat(seen).containsExactly("begin a -1", "advance 7", "note n");
    assertThat(reader.result()).isEqualTo(new TaskSummary("2 images", counts));
  }

  @Test
  void aReaderThrowsTheErrorTheStreamEndedWith() {
    writer.error(new OciException(OciError.MANIFEST_UNKNOWN, "no such image"));
    ProgressEvents.Reader reader = new ProgressEvents.Reader(Progress.NONE);
    lines.forEach(reader::accept);

    assertThatThrownBy(reader::result)
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.MANIFEST_UNKNOWN))
        .hasMessage("no such image");
  }

  @Test
  void aStreamThatBreaksOffIsUnavailableNotSuccess() {
    writer.begin("a", -1);
    ProgressEvents.Reader reader = new ProgressEvents.Reader(Progress.NONE);
    lines.forEach(reader::accept);

    assertThatThrownBy(reader::result)
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.UNAVAILABLE))
        .hasMessageContaining("ended before the task did");
    assertThatThrownBy(() -> reader.accept("not json")).isInstanceOf(OciException.class);
  }
}

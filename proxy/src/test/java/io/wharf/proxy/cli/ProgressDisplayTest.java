package io.wharf.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.admin.TaskSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ProgressDisplayTest {
  private final StringWriter text = new StringWriter();
  private final AtomicLong now = new AtomicLong(1_000_000);

  @Test
  void plainOutputIsOneLinePerItemAndOneEveryFiveSecondsWhileBytesFlow() {
    ProgressDisplay display = new ProgressDisplay(new PrintWriter(text), false, now::get);

    display.begin("docker.io/library/nginx:1.27", -1);
    display.begin("docker.io/library/nginx@sha256:0123456789ab", 4L << 20);
    display.advance(1L << 20);
    now.addAndGet(4_000);
    display.advance(1L << 20); // 4 s: too soon for a line
    now.addAndGet(1_000);
    display.advance(1L << 20); // 5 s after the item began
    display.note("skipped a layer");
    now.addAndGet(1_000);
    display.advance(1L << 20);
    display.finish(new TaskSummary("prefetched 1 image", Map.of()));

    assertThat(text.toString()).isEqualTo("""
        docker.io/library/nginx:1.27
        docker.io/library/nginx@sha256:0123456789ab (4.0 MiB)
          3.0 MiB of 4.0 MiB, 614.4 KiB/s
        skipped a layer
        prefetched 1 image
        """);
  }

  @Test
  void plainOutputOfAnItemOfUnknownSizeShowsTheBytesSoFar() {
    ProgressDisplay display = new ProgressDisplay(new PrintWriter(text), false, now::get);

    display.begin("bundle.tar.zst", -1);
    now.addAndGet(10_000);
    display.advance(10L << 20);

    assertThat(text.toString()).isEqualTo("bundle.tar.zst\n  10.0 MiB, 1.0 MiB/s\n");
  }

  @Test
  void aTerminalGetsOneLineRedrawnInPlaceWithABarAndTheSummaryAfterIt() {
    ProgressDisplay display = new ProgressDisplay(new PrintWriter(text), true, now::get);

    display.begin("layer", 4L << 20);
    now.addAndGet(1_000);
    display.advance(2L << 20);
    display.finish(new TaskSummary("done", Map.of()));

    String out = text.toString();
    assertThat(out).startsWith("\r\u001b[K[........................] 0 B");
    assertThat(out).contains("\r\u001b[K[############............] 2.0 MiB  2.0 MiB/s  layer");
    assertThat(out).endsWith("\r\u001b[Kdone\n");
    assertThat(out).doesNotContain("\n\r"); // no line is left behind between redraws
  }

  @Test
  void aTerminalRedrawsAtMostTenTimesASecond() {
    ProgressDisplay display = new ProgressDisplay(new PrintWriter(text), true, now::get);
    display.begin("layer", 100);
    int before = text.toString().split("\r").length;

    for (int i = 0; i < 50; i++) {
      display.advance(1); // all within the same millisecond
    }

    assertThat(text.toString().split("\r").length).isEqualTo(before);
  }
}

package io.wharf.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class ProcessTreeTest {

  @Test
  void readsCpuAndPeakRssOfThisJvm() {
    var self = new ProcessTree(ProcessHandle.current().pid());
    double cpu0 = self.cpuSeconds();
    long x = 0;
    for (long i = 0; i < 300_000_000L; i++) {
      x += i ^ (x >>> 3);
    }
    assertThat(x).isNotZero();
    assertThat(self.cpuSeconds()).isGreaterThan(cpu0);
    assertThat(self.peakRssMib()).isGreaterThan(10);
    self.resetPeak();
    assertThat(self.peakRssMib()).isGreaterThan(10);
  }

  @Test
  void includesDirectChildren() throws Exception {
    Process child = new ProcessBuilder("sleep", "30").start();
    try {
      var tree = new ProcessTree(ProcessHandle.current().pid());
      assertThat(tree.withChildren()).contains(ProcessHandle.current().pid(), child.pid());
    } finally {
      child.destroy();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGoneProcessReadsAsNaN() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor(10, TimeUnit.SECONDS);
    var gone = new ProcessTree(p.pid());
    assertThat(gone.isAlive()).isFalse();
    assertThat(gone.cpuSeconds()).isNaN();
    assertThat(gone.peakRssMib()).isNaN();
  }
}

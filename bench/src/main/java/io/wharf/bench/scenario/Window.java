package io.wharf.bench.scenario;

import io.wharf.bench.measure.AccessLine;
import io.wharf.bench.measure.ClientCpu;
import io.wharf.bench.measure.UpstreamLog;
import java.io.IOException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What else changed while one target was measured: its server CPU, the generator's own CPU, and the
 * upstream access log lines the measurement caused.
 */
final class Window {

  private final Target target;
  private final @Nullable UpstreamLog log;
  private final double serverCpu0;
  private final double clientCpu0;
  private final long logMark;
  private double serverCpu = Double.NaN;
  private double clientCpu = Double.NaN;

  private Window(Target target, @Nullable UpstreamLog log) {
    this.target = target;
    this.log = log;
    this.logMark = log == null ? 0 : log.mark();
    this.serverCpu0 = target.process() == null ? Double.NaN : target.process().cpuSeconds();
    this.clientCpu0 = ClientCpu.seconds();
  }

  static Window open(Target target, @Nullable UpstreamLog log) {
    return new Window(target, log);
  }

  /** Takes the CPU readings; call right when the load ends. */
  Window close() {
    serverCpu = target.process() == null ? Double.NaN : target.process().cpuSeconds() - serverCpu0;
    clientCpu = ClientCpu.seconds() - clientCpu0;
    return this;
  }

  /** Server CPU seconds (process and children) during the window; NaN without a pid. */
  double serverCpuSeconds() {
    return serverCpu;
  }

  double clientCpuSeconds() {
    return clientCpu;
  }

  /**
   * The upstream access lines since the window opened, after a short pause for the last lines to
   * be written; null without a log.
   */
  @Nullable List<AccessLine> upstreamLines() throws IOException {
    if (log == null) {
      return null;
    }
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return log.since(logMark);
  }
}

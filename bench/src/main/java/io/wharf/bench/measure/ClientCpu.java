package io.wharf.bench.measure;

import java.lang.management.ManagementFactory;

/** CPU time of this JVM (the load generator itself): it shares the cores with the servers. */
public final class ClientCpu {

  private ClientCpu() {}

  /** Process CPU seconds so far, user + system, all threads; NaN where the JVM cannot tell. */
  public static double seconds() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long nanos = os.getProcessCpuTime();
      return nanos < 0 ? Double.NaN : nanos / 1e9;
    }
    return Double.NaN;
  }
}

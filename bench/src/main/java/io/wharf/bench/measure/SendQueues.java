package io.wharf.bench.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bytes in flight on the established TCP connections of a local server port, from /proc/net/tcp and
 * tcp6: what the server has queued to send, and what its clients have received but not read yet. A
 * non-zero value means the server (the upstream) is still delivering a response: an access log only
 * shows a request once it has completed, so a proxy's background cache fill is invisible there until
 * its last byte.
 */
public final class SendQueues {

  private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  private static final String ESTABLISHED = "01";

  private SendQueues() {}

  /**
   * tx_queue of the server's sockets (local port {@code port}) plus rx_queue of its clients' sockets
   * (remote port {@code port}), ESTABLISHED only; 0 if unreadable.
   */
  public static long bytes(int port) {
    long total = 0;
    for (Path table : TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        continue;
      }
      for (int i = 1; i < lines.size(); i++) {
        total += queued(lines.get(i).trim(), port);
      }
    }
    return total;
  }

  /** What one table line contributes: its tx_queue if it is the server's end, its rx_queue if the client's. */
  static long queued(String line, int port) {
    String[] f = line.split("\\s+");
    // sl local_address rem_address st tx_queue:rx_queue ...
    if (f.length < 5 || !f[3].equals(ESTABLISHED)) {
      return 0;
    }
    String[] queues = f[4].split(":");
    if (port(f[1]) == port) {
      return Long.parseLong(queues[0], 16);
    }
    if (port(f[2]) == port) {
      return Long.parseLong(queues[1], 16);
    }
    return 0;
  }

  private static int port(String address) {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
  }
}

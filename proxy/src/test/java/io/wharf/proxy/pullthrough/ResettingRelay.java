package io.wharf.proxy.pullthrough;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of a WireMock server that can reset a connection in the middle of a
 * response body, which WireMock's own faults cannot: armed with {@link #resetNextResponseAfter}, the
 * next connection it accepts relays the response head and that many body bytes, waits a moment so
 * the reader has them, then closes with an RST (SO_LINGER 0). Every other byte goes through as is,
 * so WireMock still sees and journals every request.
 */
final class ResettingRelay implements AutoCloseable {
  private static final long SETTLE_MILLIS = 300;

  private final ServerSocket server;
  private final int target;
  private final AtomicLong armed = new AtomicLong(-1);
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private ResettingRelay(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("relay-accept", this::acceptLoop);
  }

  /** A relay on 127.0.0.1 to the loopback {@code port}. */
  static ResettingRelay to(int port) {
    try {
      return new ResettingRelay(port);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Resets the next accepted connection once {@code bodyBytes} of its first response body went through. */
  void resetNextResponseAfter(long bodyBytes) {
    armed.set(bodyBytes);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        connections.incrementAndGet();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(upstream);
        long cut = armed.getAndSet(-1);
        daemon("relay-up", () -> copy(client, upstream, -1));
        daemon("relay-down", () -> copy(upstream, client, cut));
      } catch (IOException e) {
        // closed
      }
    }
  }

  /** Copies {@code from} to {@code to}; with {@code cut >= 0}, resets {@code to} after that many body bytes. */
  private static void copy(Socket from, Socket to, long cut) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buf = new byte[8192];
      int headEnd = 0; // how much of "\r\n\r\n" was matched; 4 once the head is through
      long body = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        if (cut < 0) {
          out.write(buf, 0, n);
          out.flush();
          continue;
        }
        int i = 0;
        while (i < n && headEnd < 4) {
          byte b = buf[i++];
          headEnd = b == "\r\n\r\n".charAt(headEnd) ? headEnd + 1 : b == '\r' ? 1 : 0;
        }
        int allowed = headEnd < 4 ? i : i + (int) Math.min(n - i, cut - body);
        out.write(buf, 0, allowed);
        out.flush();
        body += allowed - i;
        if (headEnd == 4 && body >= cut) {
          Thread.sleep(SETTLE_MILLIS); // an RST discards what the peer has not read yet
          to.setSoLinger(true, 0);
          to.close();
          from.close();
          return;
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // already closed
    }
    open.forEach(ResettingRelay::closeQuietly);
  }
}

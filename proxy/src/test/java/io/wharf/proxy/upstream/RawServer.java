package io.wharf.proxy.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP server that answers each connection with a script, for what WireMock cannot do:
 * a body shorter than its Content-Length, an upstream that accepts and never answers, a body
 * written as fast as the client takes it.
 */
final class RawServer implements AutoCloseable {
  /** What to do with one accepted connection; exceptions end it. */
  interface Script {
    void serve(Socket socket, RawServer server) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<String> requestHeads = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  RawServer(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    RawServer self = this;
    acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          connections.incrementAndGet();
          sockets.add(s);
          Thread t = new Thread(() -> {
            try (s) {
              script.serve(s, self);
            } catch (IOException | InterruptedException | RuntimeException e) {
              // the script's connection ended
            }
          }, "raw-server-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "raw-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  int connections() {
    return connections.get();
  }

  List<String> requestHeads() {
    return requestHeads;
  }

  /** Reads one request head (up to the blank line) and records it. */
  String readHead(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed");
      }
      b.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
    }
    String head = b.toString(StandardCharsets.ISO_8859_1);
    requestHeads.add(head);
    return head;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}

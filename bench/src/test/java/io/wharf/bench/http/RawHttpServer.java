package io.wharf.bench.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny HTTP/1.1 server on a loopback port, one thread per connection, whose answers a test
 * scripts exactly (including closing a connection without saying so), to drive the client's
 * keep-alive and retry paths. Request bodies are read by Content-Length and hashed, not kept.
 */
final class RawHttpServer implements AutoCloseable {

  /**
   * What the server saw of one request.
   *
   * @param method the method
   * @param target the request target
   * @param headers lower-cased header names to values
   * @param bodyLength the body length read
   * @param bodySha256 {@code sha256:<hex>} of the body
   */
  record Seen(String method, String target, Map<String, String> headers, long bodyLength, String bodySha256) {}

  /**
   * The answer to one request.
   *
   * @param head the status line and headers, without the blank line
   * @param body the body bytes written after the head (none for HEAD)
   * @param closeAfter close the connection after writing, without a Connection: close header
   */
  record Answer(String head, byte[] body, boolean closeAfter) {
    static Answer ok(byte[] body) {
      return new Answer("HTTP/1.1 200 OK\r\nContent-Length: " + body.length, body, false);
    }
  }

  private final ServerSocket socket;
  private final Function<Seen, Answer> handler;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  RawHttpServer(Function<Seen, Answer> handler) throws IOException {
    this(handler, null);
  }

  /** @param tls serves HTTPS with this server socket factory; null serves plain HTTP */
  RawHttpServer(Function<Seen, Answer> handler, javax.net.ssl.@org.jspecify.annotations.Nullable SSLServerSocketFactory tls)
      throws IOException {
    this.handler = handler;
    this.socket = tls == null ? new ServerSocket() : tls.createServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread accept = new Thread(this::acceptLoop, "raw-http-accept");
    accept.setDaemon(true);
    accept.start();
  }

  URI url() {
    String scheme = socket instanceof javax.net.ssl.SSLServerSocket ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort());
  }

  int connectionsAccepted() {
    return connections.get();
  }

  List<Seen> seen() {
    return seen;
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "raw-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
      while (true) {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        var headers = new LinkedHashMap<String, String>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
          int colon = h.indexOf(':');
          headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        long left = length;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            return;
          }
          md.update(buf, 0, n);
          left -= n;
        }
        String[] parts = requestLine.split(" ");
        var req = new Seen(parts[0], parts[1], headers, length, "sha256:" + HexFormat.of().formatHex(md.digest()));
        seen.add(req);
        Answer a = handler.apply(req);
        out.write((a.head() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        if (!req.method().equals("HEAD")) {
          out.write(a.body());
        }
        out.flush();
        if (a.closeAfter()) {
          return;
        }
      }
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      // the client went away
    }
  }

  private static String line(InputStream in) throws IOException {
    var b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

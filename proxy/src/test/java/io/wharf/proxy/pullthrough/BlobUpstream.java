package io.wharf.proxy.pullthrough;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.wharf.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/1.1 upstream that answers GETs of the blobs it was given, as fast as it can
 * (Content-Length, then the whole body), and counts them; anything else is a 404.
 */
final class BlobUpstream implements AutoCloseable {
  private final ServerSocket socket;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<Digest, AtomicInteger> gets = new ConcurrentHashMap<>();

  private BlobUpstream(ServerSocket socket) {
    this.socket = socket;
  }

  /** Serves {@code blob} at {@code /v2/<repository>/blobs/<digest>}. */
  static BlobUpstream serving(String repository, Digest digest, byte[] blob) {
    try {
      BlobUpstream s = new BlobUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      s.add(repository, digest, blob);
      Thread t = new Thread(s::accept, "blob-upstream");
      t.setDaemon(true);
      t.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  BlobUpstream add(String repository, Digest digest, byte[] blob) {
    blobs.put("/v2/" + repository + "/blobs/" + digest, blob);
    gets.put(digest, new AtomicInteger());
    return this;
  }

  int port() {
    return socket.getLocalPort();
  }

  int blobRequests(Digest digest) {
    return gets.get(digest).get();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket c = socket.accept();
        Thread t = new Thread(() -> serve(c), "blob-upstream-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
      String[] requestLine = readHead(in).split(" ", 3);
      byte[] blob = requestLine.length == 3 && requestLine[0].equals("GET") ? blobs.get(requestLine[1]) : null;
      if (blob == null) {
        out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
        return;
      }
      gets.get(Digest.parse(requestLine[1].substring(requestLine[1].lastIndexOf('/') + 1))).incrementAndGet();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + blob.length
          + "\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
      out.write(blob);
      out.flush();
    } catch (IOException e) {
      // the test ended or wharf hung up
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int ch;
    while ((ch = in.read()) >= 0) {
      b.append((char) ch);
      if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

package io.wharf.proxy.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A tiny HTTP CONNECT proxy on loopback: reads {@code CONNECT host:port}, checks the
 * Proxy-Authorization when one is required, answers 200 and pipes bytes both ways. Records every
 * CONNECT target, and refuses to dial anything but loopback.
 */
final class ConnectProxy implements AutoCloseable {
  private final ServerSocket server;
  private final @Nullable String requiredAuthorization;
  private final List<String> connects = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  ConnectProxy(@Nullable String requiredAuthorization) throws IOException {
    this.requiredAuthorization = requiredAuthorization;
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "connect-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** The {@code host:port} of every CONNECT, in order. */
  List<String> connects() {
    return connects;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        daemon(() -> tunnel(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void tunnel(Socket client) {
    try {
      String head = readHead(client.getInputStream());
      String[] lines = head.split("\r\n");
      String[] request = lines[0].split(" ");
      OutputStream toClient = client.getOutputStream();
      if (!request[0].equals("CONNECT")) {
        toClient.write("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        client.close();
        return;
      }
      connects.add(request[1]);
      if (requiredAuthorization != null && !head.contains("\r\nProxy-Authorization: " + requiredAuthorization + "\r\n")) {
        toClient.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        client.close();
        return;
      }
      int colon = request[1].lastIndexOf(':');
      String host = request[1].substring(0, colon);
      if (!InetAddress.getByName(host).isLoopbackAddress()) {
        throw new IOException("test proxy dials loopback only, not " + host);
      }
      Socket upstream = new Socket(host, Integer.parseInt(request[1].substring(colon + 1)));
      sockets.add(upstream);
      toClient.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      toClient.flush();
      daemon(() -> pipe(upstream, client));
      pipe(client, upstream);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private static void pipe(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static String readHead(InputStream in) throws IOException {
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
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "connect-proxy-conn");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}

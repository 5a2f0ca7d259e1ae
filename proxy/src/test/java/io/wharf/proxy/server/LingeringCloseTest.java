package io.wharf.proxy.server;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.WharfServerExtension;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection that ends after its response lingers: a body refused with 413 before any of it was
 * read is still read and dropped as the client sends it, so the client's kernel never gets a reset
 * that could destroy the 413 before the client has read it. The body is sent only after the whole
 * answer and the server's end of the stream arrived: the server must still be reading by then.
 */
final class LingeringCloseTest {
  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension();

  @Test
  void aBodyRefusedUnreadIsStillReadAndDroppedAfterThe413() throws Exception {
    int length = 12 * 1024 * 1024; // over the manifest cap, under what a lingering connection drops
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), wharf.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /v2/library/lingering/manifests/huge HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: " + length + "\r\n\r\n")
          .getBytes(US_ASCII));
      out.flush();

      String answer = new String(socket.getInputStream().readAllBytes(), US_ASCII); // up to the server's FIN
      assertThat(answer).startsWith("HTTP/1.1 413 ");
      assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");

      // a server that closed instead of lingering resets the connection here ("Broken pipe")
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < length; sent += chunk.length) {
        out.write(chunk);
      }
      out.flush();
      socket.shutdownOutput();
    }
  }
}

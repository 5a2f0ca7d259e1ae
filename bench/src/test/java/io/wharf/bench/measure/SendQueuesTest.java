package io.wharf.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

final class SendQueuesTest {

  @Test
  void readsTheServerSendQueueAndTheClientReceiveQueue() {
    // port 5000 = 0x1388; server end: tx 0x100, client end: rx 0x20, a listener, another port
    String server = "1: 0100007F:1388 0100007F:D431 01 00000100:00000000 00:00000000 00000000 0 0 1 1";
    String client = "2: 0100007F:D431 0100007F:1388 01 00000000:00000020 00:00000000 00000000 0 0 2 1";
    String listen = "3: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 3 1";
    String other = "4: 0100007F:1389 0100007F:D432 01 00000400:00000000 00:00000000 00000000 0 0 4 1";
    assertThat(SendQueues.queued(server, 5000)).isEqualTo(256);
    assertThat(SendQueues.queued(client, 5000)).isEqualTo(32);
    assertThat(SendQueues.queued(listen, 5000)).isZero();
    assertThat(SendQueues.queued(other, 5000)).isZero();
  }

  @Test
  void seesBytesAReaderHasNotTakenYet() throws Exception {
    try (var listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = listener.getLocalPort();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port); Socket served = listener.accept()) {
        assertThat(SendQueues.bytes(port)).isZero();
        OutputStream out = served.getOutputStream();
        out.write(new byte[100_000]);
        out.flush();
        Thread.sleep(100);
        assertThat(SendQueues.bytes(port)).as("unread by the client").isPositive();
        InputStream in = client.getInputStream();
        int left = 100_000;
        byte[] buf = new byte[8192];
        while (left > 0) {
          left -= in.read(buf, 0, Math.min(buf.length, left));
        }
        Thread.sleep(100);
        assertThat(SendQueues.bytes(port)).isZero();
      }
    }
  }
}

package io.wharf.proxy.pullthrough;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wharf.oci.Digest;
import io.wharf.proxy.WharfServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that stops reading in the middle of a cold blob holds neither the upstream read nor
 * more than a little memory: the fetch goes on past everything a fetch keeps in memory (received
 * bytes waiting for the disk, bytes lent to readers) and commits, and the client, reading again,
 * gets the rest from the file.
 */
final class StalledClientTest {
  /** Well past what one fetch keeps in memory plus what the sockets' kernel buffers hold. */
  private static final byte[] BLOB = new byte[BlobFetch.MAX_UNWRITTEN + BlobFetch.MAX_LENT + 32 * 1024 * 1024];
  private static final Digest DIGEST;

  static {
    new Random(23).nextBytes(BLOB);
    DIGEST = Digest.sha256Of(BLOB);
  }

  private static final BlobUpstream upstream = BlobUpstream.serving("library/app", DIGEST, BLOB);

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      upstreams:
        - {name: fast, host: fast.test, url: 'http://127.0.0.1:%d', tagTtl: 5m}
      defaultUpstream: ""
      """.formatted(upstream.port()));

  @AfterAll
  static void stop() throws IOException {
    upstream.close();
  }

  @Test
  void aClientThatStopsReadingNeitherHoldsTheFetchNorLosesItsBytes() throws Exception {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), wharf.port())) {
      client.setReceiveBufferSize(64 * 1024);
      client.getOutputStream().write(("GET /v2/fast/library/app/blobs/" + DIGEST + " HTTP/1.1\r\nHost: wharf\r\n\r\n")
          .getBytes(US_ASCII));
      InputStream in = client.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("http/1.1 200").contains("content-length: " + BLOB.length);
      byte[] first = in.readNBytes(1024 * 1024);

      // the client reads nothing more: the fetch must still run to its end and commit
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> wharf.registry().storage().blobs().find(DIGEST).isPresent());

      ByteArrayOutputStream body = new ByteArrayOutputStream(BLOB.length);
      body.write(first);
      body.write(in.readNBytes(BLOB.length - first.length));
      assertThat(body.size()).isEqualTo(BLOB.length);
      assertThat(Arrays.equals(body.toByteArray(), BLOB)).as("the whole blob, byte for byte").isTrue();
    }
    assertThat(upstream.blobRequests(DIGEST)).isEqualTo(1);
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
    return b.toString().toLowerCase(java.util.Locale.ROOT);
  }
}

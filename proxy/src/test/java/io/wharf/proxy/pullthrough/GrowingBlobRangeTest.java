package io.wharf.proxy.pullthrough;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.proxy.WharfServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Range requests for a blob that is still arriving from upstream (containerd resumes and fetches
 * in parallel chunks with {@code bytes=N-}) are served from the part already written, following the
 * file for the rest, while the one upstream read goes on.
 */
final class GrowingBlobRangeTest {
  private static final byte[] BLOB = new byte[4 * 1024 * 1024];
  private static final Digest DIGEST;
  /** Another blob, for the same over HTTPS: the first is cached once its test has run. */
  private static final byte[] TLS_BLOB = new byte[4 * 1024 * 1024];
  private static final Digest TLS_DIGEST;

  static {
    new Random(17).nextBytes(BLOB);
    DIGEST = Digest.sha256Of(BLOB);
    new Random(18).nextBytes(TLS_BLOB);
    TLS_DIGEST = Digest.sha256Of(TLS_BLOB);
  }

  /** An upstream that sends the blob's headers at once, then its body slowly: 64 KiB every 20 ms. */
  private static final SlowUpstream upstream = SlowUpstream.start();

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      upstreams:
        - {name: slow, host: slow.test, url: 'http://127.0.0.1:%d', tagTtl: 5m}
      defaultUpstream: ""
      """.formatted(upstream.port()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterAll
  static void stop() throws IOException {
    upstream.close();
  }

  @Test
  void servesRangesOfABlobWhileItIsStillArriving() throws Exception {
    servesRangesWhileArriving(http, "http://127.0.0.1:" + wharf.port(), BLOB, DIGEST);
  }

  /** Under TLS the part on disk is copied into memory, not sent zero-copy: the same bytes must come. */
  @Test
  void servesRangesOfABlobWhileItIsStillArrivingOverHttps() throws Exception {
    servesRangesWhileArriving(wharf.httpsClient(), "https://127.0.0.1:" + wharf.httpsPort(), TLS_BLOB, TLS_DIGEST);
  }

  private static void servesRangesWhileArriving(HttpClient http, String base, byte[] blob, Digest digest) throws Exception {
    String url = base + "/v2/slow/library/app/blobs/" + digest;
    CompletableFuture<HttpResponse<byte[]>> whole = http.sendAsync(get(url).build(), HttpResponse.BodyHandlers.ofByteArray());
    Thread.sleep(300); // the fetch is under way and about a quarter written; the ranges below join it

    HttpResponse<byte[]> head = http.send(get(url).header("Range", "bytes=0-99").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(head.statusCode()).isEqualTo(206);
    assertThat(head.headers().firstValue("Content-Range")).hasValue("bytes 0-99/" + blob.length);
    assertThat(head.body()).isEqualTo(Arrays.copyOfRange(blob, 0, 100));

    int from = 3 * 1024 * 1024 + 5;
    HttpResponse<byte[]> tail = http.send(get(url).header("Range", "bytes=" + from + "-").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes " + from + "-" + (blob.length - 1) + "/" + blob.length);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(blob, from, blob.length));

    assertThat(whole.get().statusCode()).isEqualTo(200);
    assertThat(whole.get().body()).isEqualTo(blob);
    assertThat(upstream.blobRequests(digest)).as("one upstream read served all three").isEqualTo(1);
  }

  private static HttpRequest.Builder get(String url) {
    return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(30));
  }

  /** A loopback HTTP/1.1 server answering every GET of either blob, slowly; counts those GETs. */
  private static final class SlowUpstream implements AutoCloseable {
    private final ServerSocket socket;
    private final Map<Digest, AtomicInteger> blobRequests =
        Map.of(DIGEST, new AtomicInteger(), TLS_DIGEST, new AtomicInteger());

    private SlowUpstream(ServerSocket socket) {
      this.socket = socket;
    }

    static SlowUpstream start() {
      try {
        SlowUpstream s = new SlowUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(s::accept, "slow-upstream");
        t.setDaemon(true);
        t.start();
        return s;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    int blobRequests(Digest digest) {
      return blobRequests.get(digest).get();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket c = socket.accept();
          Thread t = new Thread(() -> serve(c), "slow-upstream-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket c) {
      try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
        String request = readHead(in);
        Digest digest = request.startsWith("GET /v2/library/app/blobs/" + DIGEST) ? DIGEST
            : request.startsWith("GET /v2/library/app/blobs/" + TLS_DIGEST) ? TLS_DIGEST : null;
        if (digest == null) {
          out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
          return;
        }
        byte[] blob = digest.equals(DIGEST) ? BLOB : TLS_BLOB;
        blobRequests.get(digest).incrementAndGet();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + blob.length
            + "\r\nDocker-Content-Digest: " + digest + "\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
        for (int off = 0; off < blob.length; off += 64 * 1024) {
          out.write(blob, off, Math.min(64 * 1024, blob.length - off));
          out.flush();
          Thread.sleep(20);
        }
      } catch (IOException | InterruptedException e) {
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
}

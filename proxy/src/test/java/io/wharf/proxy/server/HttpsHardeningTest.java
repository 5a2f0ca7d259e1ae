package io.wharf.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.proxy.WharfServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hardening on the HTTPS listener of a whole daemon: file bodies written in chunks under TLS
 * end their responses for the response backlog, and the header timeout holds for a TLS client
 * that trickles its headers or never finishes its handshake.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class HttpsHardeningTest {
  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withEnv("WHARF_SERVER_HEADER_TIMEOUT", "2s");

  private static final String REPO = "spectro-images/tls/hardening";
  private static final byte[] BLOB = new byte[300 * 1024 + 7];
  private static Digest digest;

  @BeforeAll
  static void storeABlob() {
    new Random(9).nextBytes(BLOB);
    digest = wharf.storeBlob(REPO, BLOB);
  }

  @Test
  void servesManyBlobsInARowOnOneTlsConnection() throws Exception {
    // more than UploadFlowControl.MAX_UNANSWERED: each chunked file body must count as answered
    HttpClient client = wharf.httpsClient();
    URI uri = wharf.httpsUri("/v2/" + REPO + "/blobs/" + digest);
    for (int i = 0; i < 3 * UploadFlowControl.MAX_UNANSWERED; i++) {
      var response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
          BodyHandlers.ofByteArray());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(Digest.sha256Of(response.body())).isEqualTo(digest);
    }
  }

  @Test
  void answers408ToATlsClientTricklingItsHeaders() throws Exception {
    try (SSLSocket socket = tlsSocket()) {
      socket.startHandshake();
      long start = System.nanoTime();
      socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();

      String answer = readAll(socket.getInputStream());

      assertThat(answer).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close");
      assertThat((System.nanoTime() - start) / 1e9).isBetween(1.5, 5.0);
    }
  }

  @Test
  void closesATlsConnectionThatNeverFinishesItsHandshake() throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), wharf.httpsPort())) {
      socket.setSoTimeout(15_000);
      long start = System.nanoTime();
      socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // the start of a ClientHello record

      int read;
      try {
        read = socket.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }

      assertThat(read).isEqualTo(-1);
      assertThat((System.nanoTime() - start) / 1e9).isBetween(1.5, 5.0);
    }
  }

  private static SSLSocket tlsSocket() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new TrustingManager()}, null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), wharf.httpsPort());
    socket.setSoTimeout(15_000);
    return socket;
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
      }
    } catch (SocketException closed) {
      // what came before the close is the answer
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** This test checks the hardening, not the certificate (HttpsListenerTest does). */
  private static final class TrustingManager implements X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}

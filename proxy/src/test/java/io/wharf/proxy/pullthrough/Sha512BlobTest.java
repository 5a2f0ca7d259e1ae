package io.wharf.proxy.pullthrough;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
import io.wharf.proxy.WharfServerExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A blob named by a sha512 digest: a fetch hashes sha256 as the bytes arrive, so it cannot verify
 * this one early; storage hashes the file at commit, and the client gets the last byte after it.
 */
final class Sha512BlobTest {
  private static final byte[] BLOB = new byte[3 * 1024 * 1024 + 17];
  private static final Digest DIGEST;

  static {
    new Random(29).nextBytes(BLOB);
    try {
      DIGEST = new Digest(DigestAlgorithm.SHA512, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(BLOB)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final BlobUpstream upstream = BlobUpstream.serving("library/app", DIGEST, BLOB);

  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withYaml("""
      upstreams:
        - {name: up, host: up.test, url: 'http://127.0.0.1:%d', tagTtl: 5m}
      defaultUpstream: ""
      """.formatted(upstream.port()));

  @AfterAll
  static void stop() throws IOException {
    upstream.close();
  }

  @Test
  void isServedWholeAndCommittedUnderItsSha512() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wharf.port() + "/v2/up/library/app/blobs/" + DIGEST))
        .timeout(Duration.ofSeconds(30)).build();

    HttpResponse<byte[]> first = http.send(get, HttpResponse.BodyHandlers.ofByteArray());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(BLOB);
    assertThat(wharf.registry().storage().blobs().find(DIGEST)).as("committed before the last byte went out").isPresent();
    assertThat(http.send(get, HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(BLOB);
    assertThat(upstream.blobRequests(DIGEST)).isEqualTo(1);
  }
}

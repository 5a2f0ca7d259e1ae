package io.wharf.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class UpstreamLogTest {

  private static final String GET_BLOB = "127.0.0.1 - - [24/Nov/2026:23:58:48 +0000] \"GET /v2/bench/cold/blobs/"
      + "sha256:abc HTTP/1.1\" 200 1073741824 \"\" \"Go-http-client/1.1\"\n";
  private static final String HEAD_BLOB = "127.0.0.1 - - [24/Nov/2026:23:58:48 +0000] \"HEAD /v2/bench/cold/blobs/"
      + "sha256:abc HTTP/1.1\" 200 0 \"\" \"wharf/0.1\"\n";
  private static final String APP_LINE = "time=\"2026-11-24T23:58:48Z\" level=warning msg=\"error authorizing context\""
      + " go.version=go1.19 http.request.method=GET\n";

  @Test
  void parsesCombinedLinesAndSkipsApplicationLines() {
    AccessLine a = AccessLine.parse(GET_BLOB.trim()).orElseThrow();
    assertThat(a.method()).isEqualTo("GET");
    assertThat(a.path()).isEqualTo("/v2/bench/cold/blobs/sha256:abc");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.bytes()).isEqualTo(1073741824L);
    assertThat(a.userAgent()).isEqualTo("Go-http-client/1.1");
    assertThat(a.mentions("sha256:abc")).isTrue();
    assertThat(AccessLine.parse(APP_LINE.trim())).isEmpty();
    assertThat(AccessLine.parse("127.0.0.1 - - [x] \"HEAD /v2/ HTTP/1.1\" 200 - \"\" \"\"").orElseThrow().bytes())
        .isZero();
  }

  @Test
  void readsOnlyCompleteLinesWrittenSinceTheMark(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, GET_BLOB + APP_LINE);
    var log = new UpstreamLog(file);
    long mark = log.mark();
    Files.writeString(file, APP_LINE + HEAD_BLOB + GET_BLOB.substring(0, 40), StandardOpenOption.APPEND);

    assertThat(log.since(mark)).extracting(AccessLine::method).containsExactly("HEAD");
    assertThat(log.since(0)).extracting(AccessLine::method).containsExactly("GET", "HEAD");
    assertThat(new UpstreamLog(dir.resolve("absent.log")).since(0)).isEmpty();
  }
}

package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.auth.AuditLog.Entry;
import io.wharf.proxy.auth.AuditLog.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's lines: their fields, and whole lines under concurrent writers. */
final class AuditLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;

  @Test
  void writesOneJsonObjectPerLineWithTheDocumentedFields() throws IOException {
    TestClock clock = new TestClock(Instant.parse("2026-11-24T10:15:30.123Z"));
    try (AuditLog log = AuditLog.open(data, clock)) {
      log.record(new Entry(Event.PUSH, "robot$ci", "10.0.0.7", "spectro-images/app", "v1.2", null, "ok"));
      log.record(Entry.of(Event.LOGIN_FAILED, "admin", "192.168.1.20", "bad credentials"));
      log.record(new Entry(Event.TOKEN, "admin", "::1", null, null, "repository:a/b:pull,push", "ok"));
    }

    List<String> lines = Files.readAllLines(data.resolve("audit.log"));
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("{\"time\":\"2026-11-24T10:15:30.123Z\",\"event\":\"push\",\"user\":\"robot$ci\","
        + "\"address\":\"10.0.0.7\",\"repository\":\"spectro-images/app\",\"reference\":\"v1.2\",\"outcome\":\"ok\"}");
    JsonNode failed = JSON.readTree(lines.get(1));
    assertThat(failed.path("event").asText()).isEqualTo("login_failed");
    assertThat(failed.has("repository")).isFalse();
    assertThat(failed.path("outcome").asText()).isEqualTo("bad credentials");
    assertThat(JSON.readTree(lines.get(2)).path("scope").asText()).isEqualTo("repository:a/b:pull,push");
    assertThat(Files.getPosixFilePermissions(AuditLog.file(data)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void hostileUserNamesStayOneLineAndAreCut() throws IOException {
    try (AuditLog log = AuditLog.open(data, new TestClock(Instant.EPOCH))) {
      log.record(Entry.of(Event.LOGIN_FAILED, "evil\n{\"event\":\"push\"}\u0000" + "x".repeat(5000), "10.0.0.1", "bad credentials"));
    }

    List<String> lines = Files.readAllLines(data.resolve("audit.log"));
    assertThat(lines).hasSize(1);
    JsonNode line = JSON.readTree(lines.get(0));
    assertThat(line.path("event").asText()).isEqualTo("login_failed");
    assertThat(line.path("user").asText()).startsWith("evil\n{").hasSizeLessThan(300);
  }

  @Test
  void appendsToAnExistingLog() throws IOException {
    try (AuditLog log = AuditLog.open(data, new TestClock(Instant.EPOCH))) {
      log.record(Entry.of(Event.LOGIN, "admin", "127.0.0.1", "ok"));
    }
    try (AuditLog log = AuditLog.open(data, new TestClock(Instant.EPOCH))) {
      log.record(Entry.of(Event.LOGIN, "admin", "127.0.0.2", "ok"));
    }

    assertThat(Files.readAllLines(data.resolve("audit.log"))).hasSize(2);
  }

  @Test
  void concurrentWritersNeverInterleaveLines() throws Exception {
    int threads = 8;
    int perThread = 500;
    // two opened logs on one file, as a daemon and another process would have
    try (AuditLog first = AuditLog.open(data, new TestClock(Instant.EPOCH));
        AuditLog second = AuditLog.open(data, new TestClock(Instant.EPOCH))) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        AuditLog log = t % 2 == 0 ? first : second;
        String user = "robot$writer-" + t + "-" + "p".repeat(t * 20);
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            log.record(new Entry(Event.PUSH, user, "10.0.0." + i % 250, "spectro-images/app", "tag-" + i, null, "ok"));
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }

    List<String> lines = Files.readAllLines(data.resolve("audit.log"));
    assertThat(lines).hasSize(threads * perThread);
    Set<String> seen = new HashSet<>();
    for (String line : lines) {
      JsonNode node = JSON.readTree(line);
      assertThat(node.path("event").asText()).as(line).isEqualTo("push");
      assertThat(seen.add(node.path("user").asText() + " " + node.path("reference").asText())).as(line).isTrue();
    }
  }
}

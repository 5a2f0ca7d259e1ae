package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RobotAccountsTest {
  private static final Map<String, Set<Action>> PUSH_TEAM = Map.of("team", Set.of(Action.PULL, Action.PUSH));

  @TempDir Path data;

  @Test
  void createdRobotLogsInWithItsSecretOnly() throws IOException {
    RobotAccounts robots = RobotAccounts.open(data);
    assertThat(Files.exists(RobotAccounts.file(data))).isFalse();

    RobotAccounts.Created created = robots.create("ci", PUSH_TEAM, null);

    assertThat(created.secret()).matches("[0-9A-Za-z]{24}");
    assertThat(created.toString()).doesNotContain(created.secret());
    assertThat(created.robot().loginName()).isEqualTo("robot$ci");
    Instant now = Instant.now();
    assertThat(robots.check("robot$ci", created.secret(), now)).contains(created.robot());
    assertThat(robots.check("robot$ci", created.secret() + "x", now)).isEmpty();
    assertThat(robots.check("ci", created.secret(), now)).isEmpty();
    assertThat(robots.check("robot$other", created.secret(), now)).isEmpty();
    assertThat(robots.check("admin", created.secret(), now)).isEmpty();
    assertThat(mode(RobotAccounts.file(data))).isEqualTo("rw-------");
    assertThat(Files.readString(RobotAccounts.file(data))).doesNotContain(created.secret());
  }

  @Test
  void robotsSurviveAReopen() {
    RobotAccounts robots = RobotAccounts.open(data);
    Instant expires = Instant.now().plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    RobotAccounts.Created ci = robots.create("ci", PUSH_TEAM, expires);
    RobotAccounts.Created reader = robots.create("reader", Map.of("dockerhub", Set.of(Action.PULL)), null);

    RobotAccounts reopened = RobotAccounts.open(data);

    assertThat(reopened.list()).containsExactly(ci.robot(), reader.robot());
    assertThat(reopened.list().get(0).expiresAt()).isEqualTo(expires);
    assertThat(reopened.check("robot$ci", ci.secret(), Instant.now())).contains(ci.robot());
    assertThat(reopened.check("robot$reader", reader.secret(), Instant.now()).orElseThrow().principal()
        .may(Action.PULL, "dockerhub")).isTrue();
  }

  @Test
  void fileIsTheDocumentedJson() throws IOException {
    RobotAccounts.open(data).create("ci", PUSH_TEAM, Instant.parse("2030-01-01T00:00:00Z"));

    JsonNode robot = new ObjectMapper().readTree(RobotAccounts.file(data).toFile()).get("robots").get(0);

    assertThat(robot.get("name").asText()).isEqualTo("ci");
    assertThat(robot.get("grants").get("team").toString()).isEqualTo("[\"pull\",\"push\"]");
    assertThat(robot.get("expiresAt").asText()).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(robot.get("secretHash").asText()).startsWith("$2y$10$");
    assertThat(Instant.parse(robot.get("createdAt").asText())).isBefore(Instant.now().plusSeconds(1));
  }

  @Test
  void listIsByName() {
    RobotAccounts robots = RobotAccounts.open(data);
    robots.create("zeta", PUSH_TEAM, null);
    robots.create("alpha", PUSH_TEAM, null);
    robots.create("mid", PUSH_TEAM, null);

    assertThat(robots.list()).extracting(Robot::name).containsExactly("alpha", "mid", "zeta");
  }

  @Test
  void expiredRobotsNoLongerLogIn() {
    RobotAccounts robots = RobotAccounts.open(data);
    Instant expires = Instant.now().plus(Duration.ofHours(1));
    RobotAccounts.Created ci = robots.create("ci", PUSH_TEAM, expires);

    assertThat(robots.check("robot$ci", ci.secret(), expires.minusSeconds(1))).isPresent();
    assertThat(robots.check("robot$ci", ci.secret(), expires)).isEmpty();
    assertThat(robots.list()).hasSize(1); // still listed, so an operator sees why it fails
  }

  @Test
  void anExpiryInThePastIsRefused() {
    RobotAccounts robots = RobotAccounts.open(data);

    assertThatThrownBy(() -> robots.create("ci", PUSH_TEAM, Instant.now().minusSeconds(1)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("not in the future");
    assertThat(robots.list()).isEmpty();
  }

  @Test
  void takenAndInvalidNamesAreRefused() {
    RobotAccounts robots = RobotAccounts.open(data);
    robots.create("ci", PUSH_TEAM, null);

    assertThatThrownBy(() -> robots.create("ci", PUSH_TEAM, null))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("exists");
    assertThatThrownBy(() -> robots.create("CI!", PUSH_TEAM, null))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
    assertThat(robots.list()).hasSize(1);
  }

  @Test
  void deleteEndsLoginsAndIsKeptOnDisk() {
    RobotAccounts robots = RobotAccounts.open(data);
    RobotAccounts.Created ci = robots.create("ci", PUSH_TEAM, null);
    robots.create("other", PUSH_TEAM, null);

    assertThat(robots.delete("ci")).isTrue();
    assertThat(robots.delete("ci")).isFalse();
    assertThat(robots.delete("never")).isFalse();

    assertThat(robots.check("robot$ci", ci.secret(), Instant.now())).isEmpty();
    assertThat(RobotAccounts.open(data).list()).extracting(Robot::name).containsExactly("other");
  }

  @Test
  void rewritesAreAtomicAndLeaveNoTempFiles() throws IOException {
    RobotAccounts robots = RobotAccounts.open(data);
    for (int i = 0; i < 5; i++) {
      robots.create("r" + i, PUSH_TEAM, null);
      robots.delete("r" + (i - 1));
    }
    assertThat(leftovers()).isEmpty();
    assertThat(mode(RobotAccounts.file(data))).isEqualTo("rw-------");
    // a temp file an interrupted write left behind is cleaned at the next open, the file untouched
    Files.writeString(data.resolve(".robots.json.0000.tmp"), "{\"robots\":[");
    assertThat(RobotAccounts.open(data).list()).extracting(Robot::name).containsExactly("r4");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aWidenedModeIsTightenedAtOpen() throws IOException {
    RobotAccounts.open(data).create("ci", PUSH_TEAM, null);
    Files.setPosixFilePermissions(RobotAccounts.file(data), PosixFilePermissions.fromString("rw-rw-r--"));

    RobotAccounts.open(data);

    assertThat(mode(RobotAccounts.file(data))).isEqualTo("rw-------");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "{}",
      "{\"robots\":{}}",
      "{\"robots\":[{}]}",
      "{\"robots\":[{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]},\"createdAt\":\"2026-01-01T00:00:00Z\",\"secretHash\":\"plain\"}]}",
      "{\"robots\":[{\"name\":\"ci\",\"grants\":{\"team\":[\"fly\"]},\"createdAt\":\"2026-01-01T00:00:00Z\","
          + "\"secretHash\":\"$2y$10$......................XU8f/mEvQ1skCJ77497QrBjPb3Ajnqy\"}]}",
      "{\"robots\":[{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]},\"createdAt\":\"yesterday\","
          + "\"secretHash\":\"$2y$10$......................XU8f/mEvQ1skCJ77497QrBjPb3Ajnqy\"}]}",
      "{\"robots\":[{\"name\":\"Bad Name\",\"grants\":{\"team\":[\"pull\"]},\"createdAt\":\"2026-01-01T00:00:00Z\","
          + "\"secretHash\":\"$2y$10$......................XU8f/mEvQ1skCJ77497QrBjPb3Ajnqy\"}]}",
  })
  void aMalformedFileIsAClearError(String content) throws IOException {
    Files.writeString(RobotAccounts.file(data), content);

    assertThatThrownBy(() -> RobotAccounts.open(data))
        .isInstanceOf(OciException.class)
        .hasMessageStartingWith(RobotAccounts.file(data) + " is malformed (");
  }

  @Test
  void twoRobotsWithOneNameInTheFileAreAnError() throws IOException {
    String robot = "{\"name\":\"ci\",\"grants\":{\"team\":[\"pull\"]},\"createdAt\":\"2026-01-01T00:00:00Z\","
        + "\"secretHash\":\"$2y$10$......................XU8f/mEvQ1skCJ77497QrBjPb3Ajnqy\"}";
    Files.writeString(RobotAccounts.file(data), "{\"robots\":[" + robot + "," + robot + "]}");

    assertThatThrownBy(() -> RobotAccounts.open(data))
        .isInstanceOf(OciException.class)
        .hasMessageContaining("robots[1]: a second robot named 'ci'");
  }

  private List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(data)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}

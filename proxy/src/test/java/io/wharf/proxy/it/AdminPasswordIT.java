package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.Ports;
import io.wharf.proxy.it.fixture.WharfCli;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3 of issue 6, on the real jar: the admin password generated on the first start is
 * printed once to standard error (not through the logger), kept in {@code <data>/admin-password}
 * with mode 0600, and found in no log line and no other file, then or on a restart; {@code wharf
 * admin password --show} reads it back; {@code --reset} through the running daemon and with the
 * daemon stopped gives a new password that logs in while the old one no longer does; and a password
 * set by the environment wins at start, after which {@code --reset} refuses.
 *
 * <p>The fixture captures the child's stdout and stderr in one file ({@code wharf.log}): the
 * password must be in exactly one line of it, the first-start message that {@code AdminPassword}
 * prints directly to standard error; logger lines (a timestamp first, on stderr) and access log
 * lines (JSON, on stdout) have other shapes, and none may contain it.
 */
class AdminPasswordIT {
  private static final Pattern PRINTED =
      Pattern.compile("(?m)^wharf: generated the admin password \\(user admin\\): ([0-9A-Za-z]{24})$");
  private static final Pattern PASSWORD_LINE = Pattern.compile("(?m)^([0-9A-Za-z]{24})$");

  @TempDir Path tmp;
  private final Http http = Http.client(Duration.ofSeconds(30));

  @Test
  void generatedOnceKeptOwnerOnlyNeverLoggedAndReset() throws IOException {
    Path data = tmp.resolve("data");
    Path workDir = tmp.resolve("wharf");
    var launcher = WharfProcess.on(data).workDir(workDir).port(Ports.free()).generatedAdminPassword();
    WharfCli cli = WharfCli.in(tmp.resolve("cli"));
    Path passwordFile = data.resolve("admin-password");
    String generated;
    String resetLive;
    try (WharfProcess wharf = launcher.start()) {
      String config = wharf.configFile().toString();
      Matcher printed = PRINTED.matcher(wharf.log());
      assertThat(printed.find()).as("the first-start message in\n%s", wharf.log()).isTrue();
      generated = printed.group(1);
      assertThat(Files.readString(passwordFile)).isEqualTo(generated + "\n");
      assertThat(mode(passwordFile)).isEqualTo("rw-------");
      assertThat(mode(data.resolve("admin-password.hash"))).isEqualTo("rw-------");
      assertThat(occurrences(wharf.log(), generated)).as(wharf.log()).isEqualTo(1);
      // the logger names the file instead
      assertThat(wharf.log()).contains("admin password generated on first start").contains(passwordFile.toString());

      assertThat(v2(wharf, "admin", generated)).isEqualTo(200);
      assertThat(v2(wharf, "admin", "not-" + generated)).isEqualTo(401);

      WharfCli.Result shown = cli.run("admin", "password", "--show", "--config", config);
      assertThat(passwordLines(shown.output())).containsExactly(generated);

      WharfCli.Result reset = cli.run("admin", "password", "--reset", "--config", config);
      assertThat(reset.output()).contains("reset by the running daemon at");
      resetLive = single(passwordLines(reset.output()));
      assertThat(resetLive).isNotEqualTo(generated);
      assertThat(Files.readString(passwordFile)).isEqualTo(resetLive + "\n");
      assertThat(v2(wharf, "admin", resetLive)).isEqualTo(200);
      assertThat(v2(wharf, "admin", generated)).isEqualTo(401); // checked (and cached) before the reset
      assertThat(cli.run("admin", "password", "--show", "--config", config).output()).contains(resetLive);
      // the daemon printed nothing new and logged neither password
      assertThat(occurrences(wharf.log(), generated)).isEqualTo(1);
      assertThat(wharf.log()).doesNotContain(resetLive);
    }

    // a restart generates nothing, prints nothing, and keeps the reset password
    try (WharfProcess wharf = launcher.start()) {
      assertThat(v2(wharf, "admin", resetLive)).isEqualTo(200);
      assertThat(v2(wharf, "admin", generated)).isEqualTo(401);
      assertThat(PRINTED.matcher(wharf.log()).results().count()).isEqualTo(1); // the first start's, still
      assertThat(occurrences(wharf.log(), generated)).isEqualTo(1);
      assertThat(wharf.log()).doesNotContain(resetLive);
      assertThat(Files.readString(passwordFile)).isEqualTo(resetLive + "\n");
    }

    // with the daemon stopped the CLI resets in the data folder; the next start uses it
    WharfCli.Result offline = cli.run("admin", "password", "--reset", "--config", workDir.resolve("wharf.yaml").toString());
    assertThat(offline.output()).contains("reset by this process, on " + data);
    String resetOffline = single(passwordLines(offline.output()));
    assertThat(resetOffline).isNotEqualTo(resetLive);
    try (WharfProcess wharf = launcher.start()) {
      assertThat(v2(wharf, "admin", resetOffline)).isEqualTo(200);
      assertThat(v2(wharf, "admin", resetLive)).isEqualTo(401);
      assertThat(wharf.log()).doesNotContain(resetLive).doesNotContain(resetOffline);
      assertThat(occurrences(wharf.log(), generated)).isEqualTo(1);
    }
    // wharf.log holds the first-start message (checked above); the password file the current password
    assertNoFileHolds(List.of(generated, resetLive, resetOffline), List.of(data, workDir),
        Set.of(passwordFile, workDir.resolve("wharf.log")));
  }

  @Test
  void aPasswordFromTheEnvironmentWinsAndResetRefuses() throws IOException {
    Path data = tmp.resolve("data");
    Path workDir = tmp.resolve("wharf");
    var generating = WharfProcess.on(data).workDir(workDir).port(Ports.free()).generatedAdminPassword();
    String generated;
    try (WharfProcess wharf = generating.start()) {
      generated = wharf.adminPassword();
    }
    String fromEnv = "env-password-" + Long.toHexString(System.nanoTime());
    var configured = WharfProcess.on(data).workDir(workDir).port(Ports.free()).generatedAdminPassword()
        .env("WHARF_AUTH_ADMIN_PASSWORD", fromEnv);
    WharfCli cli = WharfCli.in(tmp.resolve("cli")).withEnv("WHARF_AUTH_ADMIN_PASSWORD", fromEnv);
    try (WharfProcess wharf = configured.start()) {
      assertThat(v2(wharf, "admin", fromEnv)).isEqualTo(200);
      assertThat(v2(wharf, "admin", generated)).isEqualTo(401);
      assertThat(data.resolve("admin-password")).doesNotExist(); // a password that no longer logs in is not kept

      WharfCli.Result reset = cli.tryRun("admin", "password", "--reset", "--config", wharf.configFile().toString());
      assertThat(reset.exitCode()).as(reset.output()).isEqualTo(1);
      assertThat(reset.output()).contains("set by config (auth.admin.password or WHARF_AUTH_ADMIN_PASSWORD)")
          .doesNotContain(fromEnv);
      WharfCli.Result show = cli.tryRun("admin", "password", "--show", "--config", wharf.configFile().toString());
      assertThat(show.exitCode()).isEqualTo(1);
      assertThat(show.output()).contains("set by config").doesNotContain(fromEnv);
      assertThat(v2(wharf, "admin", fromEnv)).isEqualTo(200);
      // the CLI logs in with the same environment: a robot made through the daemon
      WharfCli.Result robot = cli.run("robot", "create", "ci", "--grant", "spectro-images=pull,push",
          "--config", wharf.configFile().toString());
      assertThat(robot.output()).contains("login:  robot$ci");
      assertThat(wharf.log()).doesNotContain(fromEnv);
    }
    assertNoFileHolds(List.of(fromEnv), List.of(data, workDir), Set.of());
  }

  private int v2(WharfProcess wharf, String user, String password) {
    return http.get(wharf.url() + "/v2/", "Authorization", WharfProcess.basic(user, password)).status();
  }

  /** Every file under {@code roots} (logs, the audit log, the index, the config) but {@code except} is free of the secrets. */
  private static void assertNoFileHolds(List<String> secrets, List<Path> roots, Set<Path> except) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
    }
    assertThat(files).extracting(f -> f.getFileName().toString()).contains("wharf.log", "audit.log", "wharf.yaml");
    files.removeAll(except);
    for (Path file : files) {
      String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      for (String secret : secrets) {
        assertThat(text).as("%s holds a password", file).doesNotContain(secret);
      }
    }
  }

  private static List<String> passwordLines(String output) {
    return PASSWORD_LINE.matcher(output).results().map(m -> m.group(1)).toList();
  }

  private static String single(List<String> passwords) {
    assertThat(passwords).hasSize(1);
    return passwords.get(0);
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}

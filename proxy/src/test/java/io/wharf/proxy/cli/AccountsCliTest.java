package io.wharf.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.WharfServerExtension;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wharf admin password --show|--reset} and {@code wharf robot create|ls|delete}, through a
 * running daemon's admin API and, with no daemon, on the data folder directly.
 */
final class AccountsCliTest {
  // an empty password sets none: the daemon generates one, as on a first start without config
  @RegisterExtension
  static final WharfServerExtension wharf = new WharfServerExtension().withEnv("WHARF_AUTH_ADMIN_PASSWORD", "");

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void clear() {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
  }

  @Test
  void showPrintsTheGeneratedPasswordAlone() throws IOException {
    String password = AdminPassword.readPasswordFile(wharf.data()).orElseThrow();

    assertThat(run("admin", "password", "--show", "--config", cliConfig(wharf.port(), wharf.data(), "").toString()))
        .as(err.toString()).isZero();

    assertThat(out.toString()).isEqualTo(password + "\n");
  }

  @Test
  void showSaysWhenConfigOwnsThePasswordAndPrintsNothingSecret() throws IOException {
    Path config = cliConfig(wharf.port(), wharf.data(), "auth:\n  admin:\n    password: 'cfg-secret-1'\n");

    assertThat(run("admin", "password", "--show", "--config", config.toString())).isEqualTo(1);

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("set by config (auth.admin.password").doesNotContain("cfg-secret-1");
  }

  @Test
  void showFailsWithoutAPasswordFile() throws IOException {
    Path data = tmp.resolve("never-started");

    assertThat(run("admin", "password", "--show", "--config", cliConfig(1, data, "").toString())).isEqualTo(1);

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("there is no " + AdminPassword.passwordFile(data));
  }

  @Test
  void showAndResetGoTogetherNeverAndOneIsNeeded() throws IOException {
    String config = cliConfig(wharf.port(), wharf.data(), "").toString();
    assertThat(run("admin", "password", "--show", "--reset", "--config", config)).isEqualTo(2);
    assertThat(run("admin", "password", "--config", config)).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void resetGoesThroughTheRunningDaemon() throws IOException {
    String old = AdminPassword.readPasswordFile(wharf.data()).orElseThrow();

    assertThat(run("admin", "password", "--reset", "--config", cliConfig(wharf.port(), wharf.data(), "").toString()))
        .as(err.toString()).isZero();

    String fresh = out.toString().strip();
    assertThat(fresh).matches("[0-9A-Za-z]{24}").isNotEqualTo(old);
    assertThat(AdminPassword.readPasswordFile(wharf.data())).contains(fresh);
    assertThat(err.toString()).contains("the running daemon at http://127.0.0.1:" + wharf.port());
    assertThat(err.toString()).doesNotContain(fresh);
  }

  @Test
  void resetWithTheDaemonStoppedWritesTheDataFolderAndRefusesWhileOneHoldsIt() throws IOException {
    Path data = tmp.resolve("data");
    WharfConfig config = ConfigLoader.load(Optional.of(cliConfig(0, data, "")), Map.of());
    int port;
    String first;
    try (Daemon daemon = Daemon.start(config, Map.of())) {
      port = daemon.server().port();
      first = AdminPassword.readPasswordFile(data).orElseThrow();
      // running, but the CLI looks for it elsewhere: the index lock says the data folder is taken
      assertThat(run("admin", "password", "--reset", "--config", cliConfig(1, data, "").toString())).isEqualTo(1);
      assertThat(err.toString()).contains("is in use by a running wharf");
      assertThat(AdminPassword.readPasswordFile(data)).contains(first);
    }
    clear();

    assertThat(run("admin", "password", "--reset", "--config", cliConfig(port, data, "").toString()))
        .as(err.toString()).isZero();

    String fresh = out.toString().strip();
    assertThat(fresh).matches("[0-9A-Za-z]{24}").isNotEqualTo(first);
    assertThat(err.toString()).contains("this process, on " + data);
    AdminPassword reopened = AdminPassword.open(data, config.auth().admin(), System.err);
    assertThat(reopened.matches(fresh)).isTrue();
    assertThat(reopened.matches(first)).isFalse();
  }

  @Test
  void resetRefusesWhenConfigOwnsThePassword() throws IOException {
    String before = Files.readString(AdminPassword.hashFile(wharf.data()));
    Path config = cliConfig(wharf.port(), wharf.data(), "auth:\n  admin:\n    password: 'cfg-secret-2'\n");

    assertThat(run("admin", "password", "--reset", "--config", config.toString())).isEqualTo(1);

    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("set by config").contains("change it there").doesNotContain("cfg-secret-2");
    assertThat(Files.readString(AdminPassword.hashFile(wharf.data()))).isEqualTo(before);
  }

  @Test
  void robotsAreCreatedListedAndDeletedThroughTheDaemon() throws IOException {
    String config = cliConfig(wharf.port(), wharf.data(), "").toString();

    assertThat(run("robot", "create", "builder", "--grant", "team=pull,push", "--grant", "dockerhub=pull",
        "--grant", "team=delete", "--expires", "2099-01-01", "--config", config)).as(err.toString()).isZero();

    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).isEqualTo("login:  robot$builder");
    assertThat(lines[1]).matches("secret: [0-9A-Za-z]{24}");
    String secret = lines[1].substring("secret: ".length());
    assertThat(err.toString()).contains("shown this once").doesNotContain(secret);
    Robot made = RobotAccounts.open(wharf.data()).check("robot$builder", secret, Instant.now()).orElseThrow();
    assertThat(made.grants()).isEqualTo(Map.of(
        "team", Set.of(Action.PULL, Action.PUSH, Action.DELETE), "dockerhub", Set.of(Action.PULL)));
    assertThat(made.expiresAt()).isEqualTo(Instant.parse("2099-01-01T00:00:00Z"));

    clear();
    assertThat(run("robot", "ls", "--config", config)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("robot$builder").contains("2099-01-01T00:00:00Z")
        .contains("dockerhub=pull; team=pull,push,delete").doesNotContain(secret);

    clear();
    assertThat(run("robot", "create", "builder", "--grant", "team=pull", "--config", config)).isEqualTo(1);
    assertThat(err.toString()).contains("exists");

    clear();
    assertThat(run("robot", "delete", "robot$builder", "--config", config)).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("deleted robot$builder\n");
    assertThat(RobotAccounts.open(wharf.data()).list()).extracting(Robot::name).doesNotContain("builder");

    clear();
    assertThat(run("robot", "delete", "builder", "--config", config)).isEqualTo(1);
    assertThat(err.toString()).contains("no robot account named 'builder'");
  }

  @Test
  void robotsAreManagedOnTheDataFolderWithNoDaemon() throws IOException {
    Path data = tmp.resolve("offline");
    String config = cliConfig(1, data, "").toString();

    assertThat(run("robot", "create", "ci", "--grant", "team=push", "--config", config)).as(err.toString()).isZero();
    assertThat(out.toString()).contains("login:  robot$ci");
    assertThat(RobotAccounts.open(data).list()).extracting(Robot::name).containsExactly("ci");

    clear();
    assertThat(run("robot", "ls", "--config", config)).isZero();
    assertThat(out.toString()).contains("robot$ci").contains("never").contains("team=push");

    clear();
    assertThat(run("robot", "delete", "ci", "--config", config)).isZero();
    assertThat(RobotAccounts.open(data).list()).isEmpty();
  }

  @Test
  void badGrantsExpiriesAndNamesAreRefused() throws IOException {
    String config = cliConfig(wharf.port(), wharf.data(), "").toString();

    assertThat(run("robot", "create", "x", "--config", config)).isEqualTo(2); // --grant is required
    assertThat(run("robot", "create", "x", "--grant", "team", "--config", config)).isEqualTo(2);
    assertThat(run("robot", "create", "x", "--grant", "team=fly", "--config", config)).isEqualTo(2);
    assertThat(err.toString()).contains("unknown action 'fly'");
    assertThat(run("robot", "create", "x", "--grant", "team=pull", "--expires", "soon", "--config", config)).isEqualTo(2);
    assertThat(run("robot", "create", "x", "--grant", "team=pull", "--expires", "2001-01-01", "--config", config))
        .isEqualTo(1);
    assertThat(run("robot", "create", "Bad!", "--grant", "team=pull", "--config", config)).isEqualTo(1);
    assertThat(run("robot", "delete", "Bad!", "--config", config)).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aRunningDaemonThatRefusesTheLoginIsAClearError() throws IOException {
    Path wrong = cliConfig(wharf.port(), wharf.data(), "auth:\n  admin:\n    password: 'not-the-one'\n");
    assertThat(run("robot", "ls", "--config", wrong.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("refused the admin password from auth.admin.password")
        .doesNotContain("not-the-one");

    clear();
    Path elsewhere = tmp.resolve("other-data");
    assertThat(run("robot", "ls", "--config", cliConfig(wharf.port(), elsewhere, "").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("needs the admin password")
        .contains("no " + AdminPassword.passwordFile(elsewhere));
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void expiriesAreDurationsFromNowDatesOrTimes() {
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    var converter = new RobotCreateCommand.ExpiryConverter(Clock.fixed(now, ZoneOffset.UTC));

    assertThat(converter.convert("30d")).isEqualTo(Instant.parse("2026-03-31T10:00:00Z"));
    assertThat(converter.convert("12h")).isEqualTo(Instant.parse("2026-03-01T22:00:00Z"));
    assertThat(converter.convert("2027-01-01")).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(converter.convert("2027-01-01T12:00:00+02:00")).isEqualTo(Instant.parse("2027-01-01T10:00:00Z"));
  }

  @Test
  void theCliLogsInWithTheConfigPasswordElseTheFile() throws IOException {
    WharfConfig fromFile = ConfigLoader.load(Optional.of(cliConfig(1, wharf.data(), "")), Map.of());
    AdminLogin file = AdminLogin.of(fromFile);
    assertThat(file.password()).isEqualTo(AdminPassword.readPasswordFile(wharf.data()).orElseThrow());
    assertThat(file.source()).isEqualTo(AdminPassword.passwordFile(wharf.data()).toString());
    assertThat(file.toString()).doesNotContain(file.password());

    WharfConfig configured = ConfigLoader.load(
        Optional.of(cliConfig(1, wharf.data(), "auth:\n  admin:\n    password: 'cfg-3'\n")), Map.of());
    assertThat(AdminLogin.of(configured).password()).isEqualTo("cfg-3");
    assertThat(AdminLogin.of(configured).authorization()).isEqualTo("Basic YWRtaW46Y2ZnLTM="); // admin:cfg-3

    Path empty = tmp.resolve("empty");
    AdminLogin none = AdminLogin.of(ConfigLoader.load(Optional.of(cliConfig(1, empty, "")), Map.of()));
    assertThat(none.password()).isNull();
    assertThat(none.authorization()).isNull();
    assertThat(none.refusedBy("http://127.0.0.1:5050/api/wharf/v1/").getMessage())
        .contains("needs the admin password").contains("no " + AdminPassword.passwordFile(empty));
  }

  private int run(String... args) {
    CommandLine cli = new CommandLine(new WharfCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** The config a CLI user gives: the daemon's listener and data folder, and {@code extra} YAML. */
  private Path cliConfig(int port, Path data, String extra) throws IOException {
    String yaml = WharfServerExtension.NO_UPSTREAMS
        + "server:\n  http:\n    listen: 127.0.0.1:" + port + "\n  https:\n    listen: ''\n"
        + "storage:\n  path: '" + data + "'\n" + extra;
    return Files.writeString(Files.createTempFile(tmp, "cli", ".yaml"), yaml);
  }
}

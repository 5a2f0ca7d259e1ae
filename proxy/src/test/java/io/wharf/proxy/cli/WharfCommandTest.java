package io.wharf.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class WharfCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new WharfCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void printsItsVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("wharf ");
  }

  @Test
  void listsServeInItsHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("serve");
  }

  @Test
  void refusesAMissingConfigFileWithExitStatus2AndNoStackTrace(@TempDir Path dir) {
    int status = run("serve", "--config", dir.resolve("absent.yaml").toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("absent.yaml").doesNotContain("Exception", "\tat ");
  }

  @Test
  void refusesAnUnknownKeyNamingIt(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("wharf.yaml"), "server:\n  htp:\n    listen: 127.0.0.1:0\n");

    int status = run("serve", "--config", config.toString());

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("server.htp").doesNotContain("Exception", "\tat ");
  }

  @Test
  void refusesAnUnknownOption() {
    assertThat(run("serve", "--nope")).isEqualTo(2);
    assertThat(err.toString()).contains("--nope");
  }
}

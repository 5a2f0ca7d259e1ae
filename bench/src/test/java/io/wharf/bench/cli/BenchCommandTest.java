package io.wharf.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class BenchCommandTest {

  private static String run(int expectedExit, String... args) {
    CommandLine cl = BenchCommand.commandLine();
    var err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute(args)).as(err.toString()).isEqualTo(expectedExit);
    return err.toString();
  }

  @Test
  void rejectsUnknownScenariosAndTargetsBeforeRunning(@TempDir Path dir) throws Exception {
    Path seed = Files.writeString(dir.resolve("seed.json"), "{}");
    String report = dir.resolve("r.md").toString();
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", "http://127.0.0.1:1", "--target",
        "a=http://127.0.0.1:1", "--scenarios", "warm-blob,bogus", "--report", report)).contains("unknown scenario 'bogus'");
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", "http://127.0.0.1:1", "--target",
        "a=http://127.0.0.1:1", "--proxy", "b", "--report", report)).contains("--proxy b is not a --target");
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", "http://127.0.0.1:1", "--target",
        "a", "--report", report)).contains("expected NAME=VALUE");
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", "http://127.0.0.1:1", "--target",
        "a=http://127.0.0.1:1", "--subject", "z", "--report", report)).contains("--subject z is not a --target");
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", "http://127.0.0.1:1", "--target",
        "a=http://127.0.0.1:1", "--relay", "b", "--report", report)).contains("--relay b is not a --target");
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", "http://127.0.0.1:1", "--target",
        "a=http://127.0.0.1:1", "--proxy", "a", "--relay", "a", "--report", report))
        .contains("a is given as both --proxy and --relay");
    assertThat(Files.exists(dir.resolve("r.md"))).isFalse();
  }

  @Test
  void aTargetThatDoesNotAnswerStopsTheRunBeforeAnyScenario(@TempDir Path dir) throws Exception {
    Path seed = Files.writeString(dir.resolve("seed.json"), """
        {"profile": "smoke", "registry": "http://127.0.0.1:1", "images": [{"name": "bench/app", "tag": "1",
         "role": "app", "mediaType": "m", "digest": "sha256:0", "size": 1, "manifests": []}]}
        """);
    int closedPort;
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort;
    assertThat(run(2, "run", "--seed", seed.toString(), "--upstream", url, "--target", "a=" + url,
        "--report", dir.resolve("r.md").toString())).contains("target a (" + url + ") does not answer");
    assertThat(Files.exists(dir.resolve("r.md"))).isFalse();
  }

  @Test
  void passesEveryJmhArgumentThrough() {
    CommandLine cl = BenchCommand.commandLine();
    cl.parseArgs("jmh", "-f", "1", "-wi", "0", "Digest", "-p", "chunkSize=65536");
    assertThat(((JmhCommand) cl.getSubcommands().get("jmh").getCommand()).args).containsExactly("-f", "1", "-wi", "0", "Digest", "-p",
        "chunkSize=65536");
  }
}

package io.wharf.bench.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's check of the load generator (issue 4): the shaded jar seeds a real docker-registry with the
 * smoke profile and runs every scenario against it and against wharf launched by deploy/bin/wharf
 * as a pull-through proxy of it; the run must succeed with no request failing, and the herd must
 * cost the upstream one GET per blob.
 */
final class BenchSmokeIT {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
  private static final List<String> TABLES = List.of("## warm-blob", "## manifest", "## image-pull",
      "## cold-pull", "## herd", "## rss", "## Errors");

  @TempDir
  static Path tmp;

  private static Path repoRoot;
  private static Path benchJar;
  private static UpstreamRegistry upstream;
  private static WharfDaemon wharf;

  @BeforeAll
  static void start() throws Exception {
    repoRoot = Path.of(required("wharf.repo.root")).toAbsolutePath().normalize();
    benchJar = Path.of(required("wharf.bench.jar"));
    assertThat(benchJar).as("the shaded jar (mvn package)").isRegularFile();
    upstream = UpstreamRegistry.start(Files.createDirectories(tmp.resolve("upstream")));
    wharf = WharfDaemon.start(repoRoot, Files.createDirectories(tmp.resolve("wharf")), upstream.url());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (wharf != null) {
      wharf.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void seedsAndRunsEveryScenarioAgainstRegistryAndWharf() throws Exception {
    Path seed = tmp.resolve("seed.json");
    Path report = tmp.resolve("report.md");
    Path raw = tmp.resolve("raw.json");

    Result seeded = bench("seed", "--registry", upstream.url(), "--profile", "smoke", "--out", seed.toString());
    assertThat(seeded.exit).as("seed output:\n%s", seeded.output).isZero();

    Result run = bench("run", "--seed", seed.toString(), "--upstream", upstream.url(),
        "--upstream-log", upstream.log().toString(), "--upstream-storage", upstream.storage().toString(),
        "--target", "registry=" + upstream.url(), "--target", "wharf=" + wharf.url(),
        "--pid", "registry=" + upstream.pid(), "--pid", "wharf=" + wharf.pid(),
        "--proxy", "wharf", "--subject", "wharf", "--profile", "smoke",
        "--report", report.toString(), "--raw", raw.toString());
    String text = Files.exists(report) ? Files.readString(report, StandardCharsets.UTF_8) : "(no report)";
    assertThat(run.exit).as("run output:\n%s\n--- report ---\n%s\n--- wharf log ---\n%s", run.output, text,
        wharf.logText()).isZero();
    for (String table : TABLES) {
      assertThat(text).as("report table %s", table).contains(table);
    }
    assertThat(text).contains("None: every request got the expected status");
    assertThat(text).doesNotContain("_No measurements");

    JsonNode measurements = new ObjectMapper().readTree(raw.toFile()).get("measurements");
    var herd = new ArrayList<JsonNode>();
    measurements.forEach(m -> {
      if (m.get("scenario").asText().equals("herd")) {
        herd.add(m);
      }
    });
    assertThat(herd).as("herd measurements").isNotEmpty();
    for (JsonNode m : herd) {
      assertThat(m.get("target").asText()).isEqualTo("wharf");
      assertThat(m.at("/values/upstreamGets").asDouble()).as("upstream GETs per herd blob: %s", m).isEqualTo(1.0);
      assertThat(m.at("/values/clientsOk").asDouble()).as("clients OK: %s", m).isEqualTo(4.0);
    }
  }

  @Test
  void jmhSubcommandFindsTheBenchmarksInTheShadedJar() throws Exception {
    Result list = bench("jmh", "-l");
    assertThat(list.exit).as(list.output).isZero();
    assertThat(list.output).contains("io.wharf.bench.jmh.DigestBenchmark.sha256Chunk",
        "io.wharf.bench.jmh.ReferenceBenchmark", "io.wharf.bench.jmh.IndexBenchmark");
  }

  private record Result(int exit, String output) {}

  private static Result bench(String... args) throws IOException, InterruptedException {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(benchJar.toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "bench-" + args[0] + "-", ".log");
    ChildProcess p = ChildProcess.start("wharf-bench " + args[0], command, tmp, log, Map.of(), List.of());
    int exit = p.awaitExit(COMMAND_TIMEOUT);
    return new Result(exit, p.log());
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      throw new AssertionError("system property " + property + " is not set: run *IT through failsafe (mvn verify)");
    }
    return v;
  }
}

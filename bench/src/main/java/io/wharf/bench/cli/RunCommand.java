package io.wharf.bench.cli;

import io.wharf.bench.Profile;
import io.wharf.bench.http.BenchHttpClient;
import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import io.wharf.bench.measure.ProcessTree;
import io.wharf.bench.measure.UpstreamLog;
import io.wharf.bench.registry.RegistryClient;
import io.wharf.bench.report.MarkdownReport;
import io.wharf.bench.report.RawJson;
import io.wharf.bench.report.Results;
import io.wharf.bench.report.RunInfo;
import io.wharf.bench.scenario.Progress;
import io.wharf.bench.scenario.RunContext;
import io.wharf.bench.scenario.Scenario;
import io.wharf.bench.scenario.ScenarioRunner;
import io.wharf.bench.scenario.Target;
import io.wharf.bench.seed.SeedFile;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code run}: every chosen scenario against every target, interleaved within each round; writes
 * the markdown report (and the raw JSON). Exit 0 if every request got the right answer, 1 if any did
 * not (the report lists them), 2 if the run could not start.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure the targets side by side and write a markdown report.")
final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--seed", required = true, description = "seed.json written by seed")
  Path seedFile;

  @Option(names = "--upstream", required = true, description = "the registry the proxies pull through (cold blobs are pushed here)")
  URI upstream;

  @Option(names = "--upstream-log", description = "the upstream's access log (combined format), for upstream request counts")
  @Nullable Path upstreamLog;

  @Option(names = "--upstream-storage", description = "the upstream's filesystem rootdirectory: fresh blobs' files are"
      + " removed there after their DELETE (which only unlinks them), keeping its disk use bounded")
  @Nullable Path upstreamStorage;

  @Option(names = "--target", required = true, paramLabel = "NAME=URL",
      description = "a target (repeatable; the order is the column order)")
  List<String> targets = new ArrayList<>();

  @Option(names = "--pid", paramLabel = "NAME=PID", description = "the server process of a target, for CPU and RSS (repeatable)")
  List<String> pids = new ArrayList<>();

  @Option(names = "--proxy", paramLabel = "NAME", description = "a target that pulls through --upstream (repeatable)")
  List<String> proxies = new ArrayList<>();

  @Option(names = "--relay", paramLabel = "NAME", description = "a target that forwards every request to --upstream and"
      + " keeps nothing, such as nginx proxy_pass: measured in cold-pull only, as the floor of any proxy (repeatable)")
  List<String> relays = new ArrayList<>();

  @Option(names = "--subject", paramLabel = "NAME", description = "the system under test (default: the last target)")
  @Nullable String subject;

  @Option(names = "--scenarios", split = ",", paramLabel = "LIST",
      description = "any of warm-blob,manifest,image-pull,cold-pull,herd,rss (default: all)")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--profile", description = "default, small or smoke (default: the seed's profile)")
  @Nullable String profile;

  @Option(names = "--rounds", description = "rounds per scenario (default: 5, small 3, smoke 1)")
  @Nullable Integer rounds;

  @Option(names = "--report", required = true, description = "where to write the markdown report")
  Path report;

  @Option(names = "--raw", description = "where to write every round's numbers as JSON")
  @Nullable Path raw;

  @Option(names = "--client-threads", description = "the generator's event-loop threads (default: the core count)")
  @Nullable Integer clientThreads;

  @Option(names = "--read-timeout", defaultValue = "60",
      description = "seconds a response may stay silent before it fails (default: ${DEFAULT-VALUE})")
  int readTimeoutSeconds;

  /** The exit status of a run that could not start (picocli uses the same for bad arguments). */
  static final int CANNOT_START = 2;

  private final List<String> originalArgs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    originalArgs.addAll(spec.commandLine().getParseResult().originalArgs());
    Map<String, Target> byName = parseTargets();
    Target subjectTarget = subject == null ? last(byName) : byName.get(subject);
    if (subjectTarget == null) {
      throw new ParameterException(spec.commandLine(), "--subject " + subject + " is not a --target");
    }
    List<Scenario> chosen = chosenScenarios();
    boolean rss = scenarios.isEmpty() || scenarios.contains("rss");
    SeedFile seed;
    try {
      seed = SeedFile.read(seedFile);
    } catch (IOException e) {
      spec.commandLine().getErr().println("cannot read --seed " + seedFile + ": " + e.getMessage());
      return CANNOT_START;
    }
    Profile p = Profile.named(profile == null ? seed.profile() : profile);
    if (rounds != null) {
      p = p.withRounds(rounds);
    }
    if (upstreamLog != null && !Files.isRegularFile(upstreamLog)) {
      throw new ParameterException(spec.commandLine(), "--upstream-log " + upstreamLog + " is not a file");
    }
    int threads = clientThreads != null ? clientThreads : Runtime.getRuntime().availableProcessors();
    var results = new Results();
    String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    List<Target> targetList = List.copyOf(byName.values());
    RunInfo info;
    try (var http = new BenchHttpClient(threads, Duration.ofSeconds(readTimeoutSeconds));
        var upstreamClient = new RegistryClient(http, base(upstream))) {
      info = runInfo(started, http.transport(), p, targetList, subjectTarget.name());
      for (Target t : targetList) {
        String problem = unreachable(http, t);
        if (problem != null) {
          spec.commandLine().getErr().println(problem);
          return CANNOT_START;
        }
      }
      var ctx = new RunContext(http, seed, p, targetList, base(upstream), upstreamClient,
          upstreamLog == null ? null : new UpstreamLog(upstreamLog), upstreamStorage, results);
      Progress.say("targets: " + targetList.stream().map(t -> t.name() + "=" + t.url()).toList() + ", subject "
          + subjectTarget.name() + ", profile " + p.name() + ", " + p.rounds() + " round(s), client " + http.transport()
          + " x" + threads);
      long t0 = System.nanoTime();
      ScenarioRunner.run(ctx, chosen, rss);
      Progress.say(String.format("run done in %.0f s", (System.nanoTime() - t0) / 1e9));
    }
    write(report, MarkdownReport.render(info, results));
    if (raw != null) {
      RawJson.write(raw, info, results);
    }
    Progress.say("report: " + report + (raw == null ? "" : ", raw: " + raw));
    if (!results.errors().isEmpty()) {
      Progress.say(results.errors().total() + " error(s): see the report's Errors section");
      return 1;
    }
    return 0;
  }

  private Map<String, Target> parseTargets() {
    var urls = new LinkedHashMap<String, URI>();
    for (String t : targets) {
      String[] kv = pair(t, "--target");
      if (urls.put(kv[0], base(URI.create(kv[1]))) != null) {
        throw new ParameterException(spec.commandLine(), "--target " + kv[0] + " given twice");
      }
    }
    var pidOf = new LinkedHashMap<String, Long>();
    for (String p : pids) {
      String[] kv = pair(p, "--pid");
      known(urls, kv[0], "--pid");
      try {
        pidOf.put(kv[0], Long.parseLong(kv[1]));
      } catch (NumberFormatException e) {
        throw new ParameterException(spec.commandLine(), "--pid " + p + ": not a number");
      }
    }
    Set<String> proxySet = new LinkedHashSet<>(proxies);
    proxySet.forEach(n -> known(urls, n, "--proxy"));
    Set<String> relaySet = new LinkedHashSet<>(relays);
    for (String n : relaySet) {
      known(urls, n, "--relay");
      if (proxySet.contains(n)) {
        throw new ParameterException(spec.commandLine(), n + " is given as both --proxy and --relay");
      }
    }
    var out = new LinkedHashMap<String, Target>();
    urls.forEach((name, url) -> {
      Long pid = pidOf.get(name);
      ProcessTree tree = pid == null ? null : new ProcessTree(pid);
      if (tree != null && !tree.isAlive()) {
        throw new ParameterException(spec.commandLine(), "--pid " + name + "=" + pid + ": no such process");
      }
      Target.Role role = proxySet.contains(name) ? Target.Role.PROXY
          : relaySet.contains(name) ? Target.Role.RELAY : Target.Role.ORIGIN;
      out.put(name, new Target(name, url, tree, role));
    });
    return out;
  }

  private List<Scenario> chosenScenarios() {
    List<String> known = ScenarioRunner.names();
    for (String s : scenarios) {
      if (!known.contains(s)) {
        throw new ParameterException(spec.commandLine(), "unknown scenario '" + s + "' (known: " + known + ")");
      }
    }
    return ScenarioRunner.all().stream().filter(s -> scenarios.isEmpty() || scenarios.contains(s.name())).toList();
  }

  private String[] pair(String value, String option) {
    int eq = value.indexOf('=');
    if (eq <= 0 || eq == value.length() - 1) {
      throw new ParameterException(spec.commandLine(), option + " " + value + ": expected NAME=VALUE");
    }
    return new String[] {value.substring(0, eq), value.substring(eq + 1)};
  }

  private void known(Map<String, URI> urls, String name, String option) {
    if (!urls.containsKey(name)) {
      throw new ParameterException(spec.commandLine(), option + " " + name + " is not a --target");
    }
  }

  private static Target last(Map<String, Target> byName) {
    Target last = null;
    for (Target t : byName.values()) {
      last = t;
    }
    return last;
  }

  /** Why a target does not answer HTTP at all (checked before any scenario), or null if it does. */
  private static @Nullable String unreachable(BenchHttpClient http, Target t) {
    try (Connection c = http.connect(t.url())) {
      c.sendSync(Request.get("/v2/"), Duration.ofSeconds(10));
      return null;
    } catch (IOException e) {
      return "target " + t.name() + " (" + t.url() + ") does not answer: " + e.getMessage();
    }
  }

  private RunInfo runInfo(String started, String transport, Profile p, List<Target> list, String subjectName) {
    var infos = list.stream().map(t -> new RunInfo.TargetInfo(t.name(), t.url().toString(),
        t.process() == null ? null : t.process().pid(), t.role().label())).toList();
    return new RunInfo(started, machine(), "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
        transport, p.name(), p.rounds(), seedFile.toString(), originalArgs, infos, subjectName);
  }

  private static String machine() {
    String mem = "?";
    String kernel = "?";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          mem = String.format(Locale.ROOT, "%.0f GiB", kib / 1048576.0);
        }
      }
      kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    } catch (IOException | RuntimeException e) {
      // the report says "?"
    }
    return Runtime.getRuntime().availableProcessors() + " cores, " + mem + ", Linux " + kernel;
  }

  /** Scheme, host and port only; a trailing path would break the /v2/ paths. */
  static URI base(URI url) {
    if (url.getScheme() == null || url.getHost() == null) {
      throw new IllegalArgumentException("not an http URL: " + url);
    }
    return URI.create(url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort()));
  }

  private static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}

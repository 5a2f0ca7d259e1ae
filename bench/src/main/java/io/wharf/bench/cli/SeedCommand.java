package io.wharf.bench.cli;

import io.wharf.bench.Profile;
import io.wharf.bench.http.BenchHttpClient;
import io.wharf.bench.registry.RegistryClient;
import io.wharf.bench.scenario.Progress;
import io.wharf.bench.seed.SeedFile;
import io.wharf.bench.seed.Seeder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seed --registry URL --profile P --out seed.json}: pushes the profile's synthetic images. */
@Command(name = "seed", mixinStandardHelpOptions = true,
    description = "Push the profile's synthetic images (bench/blob-<size>:1, bench/app:1) into a registry and"
        + " write seed.json. Idempotent: blobs the registry has are skipped.")
final class SeedCommand implements Callable<Integer> {

  @Option(names = "--registry", required = true, description = "registry base URL, e.g. http://127.0.0.1:5000")
  URI registry;

  @Option(names = "--profile", defaultValue = "default", description = "default, small or smoke (default: ${DEFAULT-VALUE})")
  String profile;

  @Option(names = "--out", required = true, description = "where to write seed.json")
  Path out;

  @Override
  public Integer call() throws Exception {
    Profile p = Profile.named(profile);
    long t0 = System.nanoTime();
    try (var http = new BenchHttpClient(1, Duration.ofSeconds(120));
        var client = new RegistryClient(http, RunCommand.base(registry))) {
      SeedFile seed = new Seeder(client, Progress::say).seed(p);
      seed.write(out);
    }
    Progress.say(String.format("seeded profile %s into %s in %.1f s: %s", p.name(), registry,
        (System.nanoTime() - t0) / 1e9, out));
    return 0;
  }
}

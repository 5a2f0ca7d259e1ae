package io.wharf.bench.scenario;

import static java.util.Objects.requireNonNull;

import io.wharf.bench.Profile;
import io.wharf.bench.http.BenchHttpClient;
import io.wharf.bench.measure.UpstreamLog;
import io.wharf.bench.registry.RegistryClient;
import io.wharf.bench.report.Results;
import io.wharf.bench.seed.SeedFile;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What every scenario of one run shares.
 *
 * @param http the client
 * @param seed what was seeded
 * @param profile sizes, durations and rounds
 * @param targets all targets, in column order
 * @param upstream the registry the proxies pull through
 * @param upstreamRegistry pushes and deletes of fresh blobs on the upstream
 * @param upstreamLog the upstream's access log, or null if not given
 * @param upstreamStorage the upstream's storage root directory, or null: where given, the files of
 *     fresh blobs are removed after the DELETE (which only unlinks them from the repository)
 * @param results where measurements and errors go
 */
public record RunContext(BenchHttpClient http, SeedFile seed, Profile profile, List<Target> targets, URI upstream,
    RegistryClient upstreamRegistry, @Nullable UpstreamLog upstreamLog, @Nullable Path upstreamStorage,
    Results results) {

  /** The repository fresh blobs of cold-pull and herd are pushed to. */
  public static final String COLD_REPOSITORY = "bench/cold";

  public RunContext {
    requireNonNull(http, "http");
    requireNonNull(seed, "seed");
    requireNonNull(profile, "profile");
    targets = List.copyOf(targets);
    requireNonNull(upstream, "upstream");
    requireNonNull(upstreamRegistry, "upstreamRegistry");
    requireNonNull(results, "results");
  }

  public List<Target> proxies() {
    return targets.stream().filter(Target::proxy).toList();
  }

  /** The targets that serve from what they hold once warm: every one but the relays. */
  public List<Target> servers() {
    return targets.stream().filter(t -> !t.relay()).toList();
  }

  /** The targets a cold pull goes through: proxies and relays, column order. */
  public List<Target> pullers() {
    return targets.stream().filter(t -> t.proxy() || t.relay()).toList();
  }

  /**
   * The {@link #servers()} in the order round {@code round} (from 1) measures them: column order in odd
   * rounds, reversed in even ones (A B, B A, ...). Whoever runs right after a cleanup gets the page
   * cache the cleanup just freed, which this VM hands out 25x cheaper than memory it has already
   * reported to the host (bench/RESULTS.md): a fixed order would give that to one target every round.
   */
  public List<Target> targetsFor(int round) {
    return inRoundOrder(servers(), round);
  }

  /** {@link #proxies()} in the order of {@link #targetsFor}. */
  public List<Target> proxiesFor(int round) {
    return inRoundOrder(proxies(), round);
  }

  /** {@link #pullers()} in the order of {@link #targetsFor}. */
  public List<Target> pullersFor(int round) {
    return inRoundOrder(pullers(), round);
  }

  static List<Target> inRoundOrder(List<Target> list, int round) {
    if (round % 2 == 1) {
      return list;
    }
    List<Target> reversed = new java.util.ArrayList<>(list);
    java.util.Collections.reverse(reversed);
    return List.copyOf(reversed);
  }
}

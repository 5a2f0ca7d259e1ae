package io.wharf.bench.report;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a report says about its run before the numbers.
 *
 * @param started ISO time the run started
 * @param machine cores, memory, kernel
 * @param java the JVM running the generator
 * @param transport the client's Netty transport (epoll or nio)
 * @param profile the profile name
 * @param rounds rounds per scenario
 * @param seedFile the seed file read
 * @param commandLine the generator's arguments
 * @param targets the targets, in column order
 * @param subject the target under test
 */
public record RunInfo(String started, String machine, String java, String transport, String profile, int rounds,
    String seedFile, List<String> commandLine, List<TargetInfo> targets, String subject) {

  /**
   * One target.
   *
   * @param name its column name
   * @param url its base URL
   * @param pid its server process, or null
   * @param role "origin" (serves what it holds), "proxy" (pulls through the upstream and keeps) or
   *     "relay" (forwards to the upstream, keeps nothing)
   */
  public record TargetInfo(String name, String url, @Nullable Long pid, String role) {}

  public RunInfo {
    commandLine = List.copyOf(commandLine);
    targets = List.copyOf(targets);
  }
}

package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The whole configuration of the daemon, one record per section of {@code wharf-default.yaml},
 * which documents every key.
 *
 * @param server the HTTP server
 * @param storage the data folder
 * @param projects the local projects (upstreams are the proxy projects)
 * @param upstreams the registries wharf pulls through
 * @param defaultUpstream the {@link UpstreamConfig#host()} serving names with no project or host
 *     prefix ({@code library/nginx}); empty for none, and such names are then unknown
 */
public record WharfConfig(
    ServerConfig server,
    StorageConfig storage,
    List<ProjectConfig> projects,
    List<UpstreamConfig> upstreams,
    String defaultUpstream) {
  public WharfConfig {
    requireNonNull(server, "server");
    requireNonNull(storage, "storage");
    projects = List.copyOf(requireNonNull(projects, "projects"));
    upstreams = List.copyOf(requireNonNull(upstreams, "upstreams"));
    requireNonNull(defaultUpstream, "defaultUpstream");
    requireUniqueNames(projects, upstreams);
    if (!defaultUpstream.isEmpty()
        && upstreams.stream().noneMatch(u -> u.host().equals(defaultUpstream))) {
      throw ConfigException.forKey(
          "defaultUpstream",
          "'"
              + defaultUpstream
              + "' is not the host of a configured upstream (hosts: "
              + upstreams.stream().map(UpstreamConfig::host).collect(Collectors.joining(", "))
              + "; empty for none)");
    }
  }

  /** The local project called {@code name}. */
  public Optional<ProjectConfig> localProject(String name) {
    return projects.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The upstream whose proxy project is called {@code name}. */
  public Optional<UpstreamConfig> upstreamNamed(String name) {
    return upstreams.stream().filter(u -> u.name().equals(name)).findFirst();
  }

  /** The upstream for registry host {@code host} ({@code docker.io}). */
  public Optional<UpstreamConfig> upstreamForHost(String host) {
    return upstreams.stream().filter(u -> u.host().equals(host)).findFirst();
  }

  /** The upstream serving names with no project or host prefix, if one is configured. */
  public Optional<UpstreamConfig> defaultUpstreamConfig() {
    return defaultUpstream.isEmpty() ? Optional.empty() : upstreamForHost(defaultUpstream);
  }

  /** This config with another storage section. */
  WharfConfig withStorage(StorageConfig other) {
    return new WharfConfig(server, other, projects, upstreams, defaultUpstream);
  }

  // The first path component of a request picks a project, an upstream by name or an upstream by
  // host (DESIGN.md, "Which upstream a request means"): the three must never collide.
  private static void requireUniqueNames(
      List<ProjectConfig> projects, List<UpstreamConfig> upstreams) {
    Map<String, String> firstComponents = new HashMap<>();
    for (int i = 0; i < projects.size(); i++) {
      claim(firstComponents, projects.get(i).name(), "projects[" + i + "].name");
    }
    for (int i = 0; i < upstreams.size(); i++) {
      claim(firstComponents, upstreams.get(i).name(), "upstreams[" + i + "].name");
    }
    for (int i = 0; i < upstreams.size(); i++) {
      claim(firstComponents, upstreams.get(i).host(), "upstreams[" + i + "].host");
    }
  }

  private static void claim(Map<String, String> claimed, String value, String key) {
    String previous = claimed.putIfAbsent(value, key);
    if (previous != null) {
      throw ConfigException.forKey(key, "'" + value + "' is already used by " + previous);
    }
  }
}

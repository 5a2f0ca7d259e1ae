package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
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
 * @param pullThrough how wharf talks to every upstream
 * @param auth accounts and tokens
 */
public record WharfConfig(
    ServerConfig server,
    StorageConfig storage,
    List<ProjectConfig> projects,
    List<UpstreamConfig> upstreams,
    String defaultUpstream,
    PullThroughConfig pullThrough,
    AuthConfig auth) {
  public WharfConfig {
    requireNonNull(server, "server");
    requireNonNull(storage, "storage");
    projects = List.copyOf(requireNonNull(projects, "projects"));
    upstreams = List.copyOf(requireNonNull(upstreams, "upstreams"));
    requireNonNull(defaultUpstream, "defaultUpstream");
    requireNonNull(pullThrough, "pullThrough");
    requireNonNull(auth, "auth");
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

  /** The upstream for registry host {@code host} ({@code docker.io}, {@code upstream.test:5000}). */
  public Optional<UpstreamConfig> upstreamForHost(String host) {
    return upstreams.stream().filter(u -> u.host().equals(host)).findFirst();
  }

  /**
   * The upstream whose {@link UpstreamConfig#hostKey()} is {@code hostKey} ({@code
   * upstream.test_5000}), the first component of its canonical repository names.
   */
  public Optional<UpstreamConfig> upstreamForHostKey(String hostKey) {
    return upstreams.stream().filter(u -> u.hostKey().equals(hostKey)).findFirst();
  }

  /**
   * The local project imported images are listed in ({@code storage.importProject}).
   *
   * @throws ConfigException naming the key when no such local project is configured: checked
   *     where an import needs it, so a config with no local projects still serves
   */
  public ProjectConfig requireImportProject() {
    return localProject(storage.importProject())
        .orElseThrow(() -> ConfigException.forKey(
            "storage.importProject",
            "'" + storage.importProject() + "' is not a configured local project (projects: "
                + projects.stream().map(ProjectConfig::name).collect(Collectors.joining(", "))
                + ")"));
  }

  /**
   * Whether {@code project} (a local project's name, or an upstream's proxy project name such as
   * {@code dockerhub}) lets anyone pull; a name that is no configured project does (nothing can
   * be pulled from it anyway).
   */
  public boolean allowsAnonymousPull(String project) {
    Optional<ProjectConfig> local = localProject(project);
    if (local.isPresent()) {
      return local.get().allowsAnonymousPull();
    }
    return upstreamNamed(project).map(UpstreamConfig::allowsAnonymousPull).orElse(true);
  }

  /** The upstream serving names with no project or host prefix, if one is configured. */
  public Optional<UpstreamConfig> defaultUpstreamConfig() {
    return defaultUpstream.isEmpty() ? Optional.empty() : upstreamForHost(defaultUpstream);
  }

  /**
   * This config with its relative paths ({@code storage.path}, each {@code caFile}) resolved
   * against {@code directory}.
   */
  WharfConfig withPathsUnder(Path directory) {
    StorageConfig resolved = storage.withPathsUnder(directory);
    List<UpstreamConfig> withCas =
        upstreams.stream().map(u -> u.withCaFileUnder(directory)).collect(Collectors.toList());
    return new WharfConfig(
        server.withPathsUnder(directory), resolved, projects, withCas, defaultUpstream, pullThrough,
        auth);
  }

  // The first path component of a request picks a project, an upstream by name or an upstream by
  // host (DESIGN.md, "Which upstream a request means"): the three must never collide. A host is
  // claimed as its host key, the form a path writes it in (upstream.test_5000).
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
      claim(firstComponents, upstreams.get(i).hostKey(), "upstreams[" + i + "].host");
    }
  }

  private static void claim(Map<String, String> claimed, String value, String key) {
    String previous = claimed.putIfAbsent(value, key);
    if (previous != null) {
      throw ConfigException.forKey(key, "'" + value + "' is already used by " + previous);
    }
  }
}

package io.wharf.proxy.registry;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.ProjectConfig;
import io.wharf.proxy.config.UpstreamConfig;
import io.wharf.proxy.config.WharfConfig;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The local projects (Harbor's word): the first path components under which clients may push. Any
 * other repository belongs to an upstream (a proxy project) or to nobody, and is read-only, except
 * that an upstream's canonical names ({@code gcr.io/org/app}) take the pushes a local project
 * forwards to them ({@code spectro-images/gcr.io/org/app}, DESIGN.md row 5): the upstream resolver
 * denies every other write to them before a service sees it.
 */
public final class LocalProjects {
  private final Set<String> names;
  private final Set<String> upstreamHostKeys;

  /** Local projects {@code names}, with no upstream taking pushes. */
  public LocalProjects(Set<String> names) {
    this(names, Set.of());
  }

  /**
   * @param names the local projects
   * @param upstreamHostKeys the first components of upstreams' canonical names ({@code docker.io},
   *     {@code upstream.test_5000}), writable through a local project
   */
  public LocalProjects(Set<String> names, Set<String> upstreamHostKeys) {
    this.names = Set.copyOf(names);
    this.upstreamHostKeys = Set.copyOf(upstreamHostKeys);
  }

  /** The local projects of {@code config}, and its upstreams' host keys. */
  public static LocalProjects of(WharfConfig config) {
    return new LocalProjects(
        config.projects().stream().map(ProjectConfig::name).collect(Collectors.toSet()),
        config.upstreams().stream().map(UpstreamConfig::hostKey).collect(Collectors.toSet()));
  }

  public boolean contains(RepositoryName repo) {
    return names.contains(repo.project());
  }

  /**
   * @throws OciException DENIED when {@code repo} is neither in a local project nor an upstream's
   *     canonical name
   */
  public void requireWritable(RepositoryName repo) {
    if (!contains(repo) && !upstreamHostKeys.contains(repo.project())) {
      throw new OciException(
          OciError.DENIED,
          "push to '" + repo + "' denied: '" + repo.project() + "' is not a local project (local projects: "
              + String.join(", ", names.stream().sorted().toList()) + ")");
    }
  }
}

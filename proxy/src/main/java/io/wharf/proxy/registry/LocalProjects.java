package io.wharf.proxy.registry;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import java.util.Set;

/**
 * The local projects (Harbor's word): the first path components under which clients may push. Any
 * other repository belongs to an upstream (a proxy project) or to nobody, and is read-only.
 */
public final class LocalProjects {
  private final Set<String> names;

  public LocalProjects(Set<String> names) {
    this.names = Set.copyOf(names);
  }

  public boolean contains(RepositoryName repo) {
    return names.contains(repo.project());
  }

  /**
   * @throws OciException DENIED when {@code repo} is not in a local project
   */
  public void requireWritable(RepositoryName repo) {
    if (!contains(repo)) {
      throw new OciException(
          OciError.DENIED,
          "push to '" + repo + "' denied: '" + repo.project() + "' is not a local project (local projects: "
              + String.join(", ", names.stream().sorted().toList()) + ")");
    }
  }
}

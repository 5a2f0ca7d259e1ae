package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.RepositoryName;
import org.jspecify.annotations.Nullable;

/**
 * A local project: the first path component of repositories pushed or imported into wharf, such as
 * {@code spectro-images} in {@code spectro-images/team/app}.
 *
 * @param name a single path component of the distribution name grammar, {@code
 *     [a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*}
 * @param type always {@link ProjectType#LOCAL} for now; upstreams are the proxy projects
 * @param anonymousPull whether pulls need no account; null (unset) means true
 */
public record ProjectConfig(String name, ProjectType type, @Nullable Boolean anonymousPull) {
  /** A project anyone may pull from, as projects are by default. */
  public ProjectConfig(String name, ProjectType type) {
    this(name, type, null);
  }

  /** Whether pulls from this project need no account. */
  public boolean allowsAnonymousPull() {
    return anonymousPull == null || anonymousPull;
  }

  public ProjectConfig {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    requireComponent("name", name, "project");
  }

  /** Throws unless {@code value} is one path component, as project and upstream names are. */
  static void requireComponent(String key, String value, String what) {
    if (!RepositoryName.isComponent(value)) {
      throw ConfigException.forKey(
          key,
          "'"
              + value
              + "' is not a valid "
              + what
              + " name (lower-case letters and digits,"
              + " separated by '.', '_', '__' or '-')");
    }
  }
}

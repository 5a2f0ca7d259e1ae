package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.UpstreamConfig;
import org.jspecify.annotations.Nullable;

/**
 * Which repository a request means, as {@link UpstreamResolver} read it: the one name it is stored
 * under, and the upstream it comes from, if any.
 *
 * @param canonical the stored name: {@code <host key>/<path>} for an upstream's image ({@code
 *     docker.io/library/nginx}, {@code upstream.test_5000/library/alpine}), the name as sent for a
 *     local project's
 * @param upstream the upstream to pull through, null for a local repository
 * @param remoteName the repository as the upstream knows it, {@code canonical} without its first
 *     component ({@code library/nginx}); null exactly when {@code upstream} is
 * @param row the row of DESIGN.md's table that matched (1..8), for logs and tests
 */
public record Resolution(
    RepositoryName canonical,
    @Nullable UpstreamConfig upstream,
    @Nullable RepositoryName remoteName,
    int row) {
  public Resolution {
    requireNonNull(canonical, "canonical");
    if ((upstream == null) != (remoteName == null)) {
      throw new IllegalArgumentException("upstream and remoteName are null together or not at all");
    }
    if (row < 1 || row > 8) {
      throw new IllegalArgumentException("row " + row + " is not in 1..8");
    }
  }

  /** A repository of a local project, stored as sent. */
  static Resolution local(RepositoryName name, int row) {
    return new Resolution(name, null, null, row);
  }

  /** An upstream's image stored under {@code canonical}, which starts with its host key. */
  static Resolution proxied(UpstreamConfig upstream, RepositoryName canonical, int row) {
    return new Resolution(canonical, upstream, UpstreamResolver.remoteName(canonical), row);
  }

  /**
   * The project access rules judge the request in: the local project {@code sent} starts with
   * (rows 5 and 6: writes and pulls alike), else the upstream's proxy project name ({@code
   * dockerhub}).
   *
   * @param sent the name as the request sent it, the one this resolution was made from
   */
  public String accessProject(RepositoryName sent) {
    if (upstream == null || row == 5) {
      return sent.project();
    }
    return upstream.name();
  }

  /** Whether the repository is pulled through an upstream. */
  public boolean isProxied() {
    return upstream != null;
  }
}

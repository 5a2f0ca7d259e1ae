package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The read-only listings: tags of a repository, the catalog, and referrers of a manifest.
 *
 * <p>Implementations are thread-safe.
 */
public interface ListingService {
  /**
   * Tags in lexical order after {@code last}, at most {@code n}.
   *
   * @throws io.wharf.oci.OciException NAME_UNKNOWN when the repository does not exist
   */
  Page tags(RepositoryName repo, @Nullable String last, int n);

  /** Repository names in lexical order after {@code last}, at most {@code n}. */
  Page catalog(@Nullable String last, int n);

  /**
   * Manifests whose {@code subject} is {@code digest}, optionally only those of one artifact type.
   * An unknown digest has no referrers (an empty list, not an error: spec).
   */
  List<Descriptor> referrers(RepositoryName repo, Digest digest, @Nullable String artifactType);
}

package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.storage.ManifestStore;
import io.wharf.storage.RepositoryStore;
import io.wharf.storage.TagStore;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Tag lists, the catalog and referrers, from the index. */
final class LocalListingService implements ListingService {
  private final TagStore tags;
  private final RepositoryStore repositories;
  private final ManifestStore manifests;

  LocalListingService(TagStore tags, RepositoryStore repositories, ManifestStore manifests) {
    this.tags = tags;
    this.repositories = repositories;
    this.manifests = manifests;
  }

  @Override
  public Page tags(RepositoryName repo, @Nullable String last, int n) {
    if (!repositories.exists(repo)) {
      throw new OciException(OciError.NAME_UNKNOWN, "repository name not known to registry: " + repo);
    }
    return page(tags.list(repo, last, n + 1), n);
  }

  @Override
  public Page catalog(@Nullable String last, int n) {
    return page(repositories.list(last, n + 1), n);
  }

  @Override
  public List<Descriptor> referrers(RepositoryName repo, Digest digest, @Nullable String artifactType) {
    return manifests.referrers(repo, digest).stream()
        .filter(d -> artifactType == null || artifactType.equals(d.artifactType()))
        .toList();
  }

  // one more than asked tells whether a next page exists, without a second scan
  private static Page page(List<String> items, int n) {
    return items.size() > n ? new Page(items.subList(0, n), true) : new Page(items, false);
  }
}

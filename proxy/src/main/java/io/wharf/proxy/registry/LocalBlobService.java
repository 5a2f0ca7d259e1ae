package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.BlobStore;
import java.util.Optional;

/** Blobs of local repositories, straight from storage. */
final class LocalBlobService implements BlobService {
  private final BlobStore blobs;
  private final LocalProjects projects;

  LocalBlobService(BlobStore blobs, LocalProjects projects) {
    this.blobs = blobs;
    this.projects = projects;
  }

  @Override
  public BlobContent require(RepositoryName repo, Digest digest) {
    return content(blobs.requireIn(repo, digest));
  }

  @Override
  public void delete(RepositoryName repo, Digest digest) {
    projects.requireWritable(repo);
    blobs.unlink(repo, digest);
  }

  @Override
  public Optional<BlobContent> mount(RepositoryName repo, RepositoryName from, Digest digest) {
    projects.requireWritable(repo);
    if (blobs.findIn(from, digest).isEmpty()) {
      return Optional.empty();
    }
    return blobs.link(repo, digest).map(LocalBlobService::content);
  }

  static BlobContent content(BlobInfo info) {
    return new BlobContent(info.digest(), info.size(), info.path());
  }
}

package io.wharf.proxy.registry;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.Upload;
import io.wharf.storage.UploadStore;
import io.wharf.storage.UploadWriter;
import java.nio.ByteBuffer;

/** Upload sessions of local repositories, straight into storage. */
final class LocalUploadService implements UploadService {
  private final UploadStore uploads;
  private final LocalProjects projects;

  LocalUploadService(UploadStore uploads, LocalProjects projects) {
    this.uploads = uploads;
    this.projects = projects;
  }

  @Override
  public UploadState start(RepositoryName repo) {
    projects.requireWritable(repo);
    return state(uploads.start(repo));
  }

  @Override
  public UploadState status(RepositoryName repo, String id) {
    return state(uploads.status(repo, id));
  }

  @Override
  public UploadSink open(RepositoryName repo, String id, long expectedStart) {
    UploadWriter writer = uploads.open(repo, id, expectedStart);
    return new UploadSink() {
      @Override
      public void write(ByteBuffer bytes) {
        writer.write(bytes);
      }

      @Override
      public long offset() {
        return writer.offset();
      }

      @Override
      public void close() {
        writer.close();
      }
    };
  }

  @Override
  public BlobContent complete(RepositoryName repo, String id, Digest digest) {
    return LocalBlobService.content(uploads.complete(repo, id, digest));
  }

  @Override
  public void cancel(RepositoryName repo, String id) {
    uploads.cancel(repo, id);
  }

  private static UploadState state(Upload u) {
    return new UploadState(u.repo(), u.id(), u.offset());
  }
}

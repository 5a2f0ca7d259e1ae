package io.wharf.proxy.registry;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.storage.BlobStore;
import io.wharf.storage.ManifestEntry;
import io.wharf.storage.ManifestStore;
import io.wharf.storage.RepositoryStore;
import io.wharf.storage.TagStore;
import io.wharf.storage.index.TagRecord;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Manifests of local repositories: validated on push as registry:2 validates them, served as stored. */
final class LocalManifestService implements ManifestService {
  /** Layers clients fetch from elsewhere (Windows base layers): a registry need not hold them. */
  private static final Set<String> NON_DISTRIBUTABLE =
      Set.of(
          "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
          "application/vnd.oci.image.layer.nondistributable.v1.tar",
          "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
          "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");

  private final ManifestStore manifests;
  private final TagStore tags;
  private final BlobStore blobs;
  private final RepositoryStore repositories;
  private final LocalProjects projects;
  private final ManifestParser parser;
  // parsing is the only CPU a manifest GET costs; manifests are immutable, so cache by digest
  private final Cache<Digest, Manifest> parsed = Caffeine.newBuilder().maximumSize(10_000).build();

  LocalManifestService(
      ManifestStore manifests, TagStore tags, BlobStore blobs, RepositoryStore repositories, LocalProjects projects, ManifestParser parser) {
    this.manifests = manifests;
    this.tags = tags;
    this.blobs = blobs;
    this.repositories = repositories;
    this.projects = projects;
    this.parser = parser;
  }

  @Override
  public StoredManifest get(RepositoryName repo, ManifestReference reference) {
    Digest digest = reference.isDigest() ? reference.digest() : resolveTag(repo, reference);
    ManifestEntry entry = manifests.find(repo, digest).orElseThrow(() -> unknown(repo, reference));
    Manifest manifest = parsed.get(digest, d -> parser.parse(entry.body(), entry.record().mediaType(), d));
    return new StoredManifest(manifest, entry.body());
  }

  @Override
  public PutResult put(RepositoryName repo, ManifestReference reference, byte[] body, @Nullable String contentType) {
    projects.requireWritable(repo);
    Manifest manifest = parser.parse(body, contentType);
    if (reference.isDigest() && !reference.digest().equals(manifest.digest())) {
      throw new OciException(
          OciError.DIGEST_INVALID, "manifest digest is " + manifest.digest() + ", not " + reference.digest());
    }
    requireReferencedContent(repo, manifest);
    manifests.put(repo, manifest, body, reference.tag());
    parsed.put(manifest.digest(), manifest);
    Descriptor subject = manifest.subject();
    return new PutResult(manifest.digest(), subject == null ? null : subject.digest());
  }

  @Override
  public void delete(RepositoryName repo, ManifestReference reference) {
    projects.requireWritable(repo);
    if (reference.isDigest()) {
      manifests.delete(repo, reference.digest());
    } else {
      tags.delete(repo, reference.tag());
    }
  }

  // registry:2 refuses a manifest whose blobs or child manifests the repository does not have, so
  // a tag can never point at an image that cannot be pulled
  private void requireReferencedContent(RepositoryName repo, Manifest manifest) {
    for (Descriptor blob : manifest.blobs()) {
      if (!NON_DISTRIBUTABLE.contains(blob.mediaType()) && blobs.findIn(repo, blob.digest()).isEmpty()) {
        throw new OciException(
            OciError.MANIFEST_BLOB_UNKNOWN, "manifest references a blob unknown to " + repo + ": " + blob.digest(),
            blob.digest().toString());
      }
    }
    for (Descriptor child : manifest.manifests()) {
      if (!manifests.contains(repo, child.digest())) {
        throw new OciException(
            OciError.MANIFEST_BLOB_UNKNOWN, "index references a manifest unknown to " + repo + ": " + child.digest(),
            child.digest().toString());
      }
    }
  }

  private Digest resolveTag(RepositoryName repo, ManifestReference reference) {
    TagRecord tag = tags.find(repo, reference.tag()).orElseThrow(() -> unknown(repo, reference));
    return Digest.parse(tag.digest());
  }

  private OciException unknown(RepositoryName repo, ManifestReference reference) {
    if (!repositories.exists(repo)) {
      return new OciException(OciError.NAME_UNKNOWN, "repository name not known to registry: " + repo);
    }
    return new OciException(OciError.MANIFEST_UNKNOWN, "manifest unknown: " + repo + ":" + reference);
  }
}

package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.Pin;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import io.wharf.storage.index.TagRecord;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Stores one image whose blobs are committed (by this import or before it) under a reference:
 * links its blobs into the repository, stores child manifests then the manifest itself with its
 * tag, pins the reference and lists the repository in the project. Each step is skipped when it is
 * already done, so a second import of the same bundle writes nothing.
 *
 * <p>An index whose child manifest is in neither the bundle nor storage is stored anyway (the OCI
 * image layout spec lets a layout miss referenced blobs, and the pull-through cache stores partial
 * indexes the same way): the missing platform is noted and a client asking for it gets
 * MANIFEST_UNKNOWN. A present image manifest must be whole: a missing config or layer fails the import.
 */
final class ImageStore {
  private static final String PIN_SOURCE = "import";

  private final Storage storage;
  private final Progress progress;
  private final ManifestParser parser = new ManifestParser(BundleReader.MAX_JSON);

  ImageStore(Storage storage, Progress progress) {
    this.storage = storage;
    this.progress = progress;
  }

  /** A committed manifest's bytes, parsed as the descriptor that names it says; empty when not committed. */
  Optional<Parsed> find(Digest digest, @Nullable String mediaType) {
    Optional<BlobInfo> blob = storage.blobs().find(digest);
    if (blob.isEmpty()) {
      return Optional.empty();
    }
    if (blob.get().size() > BundleReader.MAX_JSON) {
      throw new OciException(OciError.MANIFEST_INVALID, "manifest " + digest + " is larger than " + BundleReader.MAX_JSON + " bytes");
    }
    byte[] body = BundleReader.readAll(blob.get());
    return Optional.of(new Parsed(parser.parse(body, mediaType, digest), body));
  }

  /** A manifest and its exact bytes. */
  record Parsed(Manifest manifest, byte[] body) {}

  /**
   * @param reference tag and/or digest to store it under; its digest, when given, must be the manifest's
   * @return the repository it went into
   */
  RepositoryName store(Parsed image, Reference reference, String project) {
    Manifest m = image.manifest();
    if (reference.digest() != null && !reference.digest().equals(m.digest())) {
      throw new OciException(OciError.DIGEST_INVALID,
          "the bundle names " + reference + " but that image's manifest is " + m.digest());
    }
    RepositoryName repo = CanonicalName.repository(reference);
    storeGraph(repo, image, reference.toString());
    Tag tag = reference.tag();
    if (tag != null) {
      Optional<TagRecord> current = storage.tags().find(repo, tag);
      boolean same = current.isPresent() && current.get().digest().equals(m.digest().toString());
      if (!same || !storage.manifests().contains(repo, m.digest())) {
        storage.manifests().put(repo, m, image.body(), tag);
      }
    } else if (!storage.manifests().contains(repo, m.digest())) {
      storage.manifests().put(repo, m, image.body(), null);
    }
    ManifestReference pinned = tag != null ? ManifestReference.of(tag) : ManifestReference.of(m.digest());
    Optional<Pin> pin = storage.pins().find(repo, pinned);
    if (pin.isEmpty() || !pin.get().digest().equals(m.digest())) {
      storage.pins().pin(repo, pinned, m.digest(), PIN_SOURCE);
    }
    storage.projectRepos().add(project, repo);
    return repo;
  }

  /** Links an image's blobs (and an index's present children with theirs) into the repository. */
  private void storeGraph(RepositoryName repo, Parsed image, String label) {
    Manifest m = image.manifest();
    if (!m.isIndex()) {
      linkBlobs(repo, m, label);
      return;
    }
    for (Descriptor child : m.manifests()) {
      Optional<Parsed> parsed = find(child.digest(), child.mediaType());
      if (parsed.isEmpty()) {
        String platform = child.platform() == null ? child.digest().toString() : child.platform().toString();
        progress.note(label + ": platform " + platform + " is not in the bundle; stored without it");
        continue;
      }
      storeGraph(repo, parsed.get(), label);
      if (!storage.manifests().contains(repo, child.digest())) {
        storage.manifests().put(repo, parsed.get().manifest(), parsed.get().body(), null);
      }
    }
  }

  private void linkBlobs(RepositoryName repo, Manifest m, String label) {
    for (Descriptor d : m.blobs()) {
      Optional<BlobInfo> blob = storage.blobs().link(repo, d.digest());
      if (blob.isEmpty()) {
        if (isNonDistributable(d.mediaType())) {
          progress.note(label + ": non-distributable layer " + d.digest() + " is not in the bundle (as expected)");
          continue;
        }
        throw new OciException(OciError.BLOB_UNKNOWN,
            label + ": " + d.mediaType() + " " + d.digest() + " of manifest " + m.digest() + " is neither in the bundle nor in storage");
      }
      if (blob.get().size() != d.size()) {
        throw new OciException(OciError.MANIFEST_INVALID,
            label + ": manifest " + m.digest() + " says " + d.digest() + " has " + d.size() + " bytes, but it has " + blob.get().size());
      }
    }
  }

  private static boolean isNonDistributable(String mediaType) {
    return mediaType.contains("foreign") || mediaType.contains("nondistributable");
  }
}

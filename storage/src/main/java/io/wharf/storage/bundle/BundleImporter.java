package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Imports a bundle (an OCI image layout folder or tar, a docker save archive, either compressed with
 * zstd or gzip; see {@link BundleInput}) into storage: streamed, every digest verified, idempotent,
 * resumable, every image pinned and listed in a project. See {@link BlobIntake} for how blobs are
 * streamed and staged, {@link NameRules} for how images are named, {@link ImageStore} for what is
 * written per image.
 *
 * <p>Not thread-safe: one instance per import. Concurrent imports into one storage are safe (each
 * commit is), though they may upload the same blob twice.
 */
public final class BundleImporter {
  private final Storage storage;
  private final Progress progress;
  private final UnaryOperator<InputStream> raw;

  public BundleImporter(Storage storage, Progress progress) {
    this(storage, progress, UnaryOperator.identity());
  }

  /** @param raw wraps the bundle file's raw stream (tests interrupt imports with it) */
  BundleImporter(Storage storage, Progress progress, UnaryOperator<InputStream> raw) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.raw = raw;
  }

  /**
   * @throws OciException UNSUPPORTED (not a bundle), MANIFEST_INVALID (bad JSON), DIGEST_INVALID (a
   *     corrupt blob), BLOB_UNKNOWN (an image misses a blob), NAME_INVALID or NAME_UNKNOWN (an image
   *     has no usable name), BLOB_UPLOAD_INVALID (a truncated or unreadable bundle), UNAVAILABLE
   *     (storage is full); blobs committed before the failure stay, for a rerun to skip
   */
  public ImportSummary importBundle(Path path, ImportOptions options) {
    long started = System.nanoTime();
    String bundle = path.toString();
    progress.begin(bundle, totalSize(path));
    BlobIntake intake = new BlobIntake(storage, bundle);
    BundleContents contents;
    try (BundleEntries entries = BundleInput.open(path, raw, progress::advance)) {
      progress.note("reading " + bundle + " (" + entries.description() + ")");
      contents = new BundleReader(storage, intake, progress, bundle).read(entries);
    } catch (IOException e) {
      throw new OciException(OciError.BLOB_UPLOAD_INVALID, "cannot read bundle " + bundle + ": " + e, e);
    }
    ImageStore images = new ImageStore(storage, progress);
    List<ImportedImage> imported;
    if (contents.indexJson != null) {
      imported = importLayout(contents, images, options, bundle);
    } else if (contents.dockerManifest != null) {
      imported = importDockerSave(contents, images, options, bundle);
    } else {
      throw new OciException(OciError.UNSUPPORTED,
          "bundle " + bundle + " holds neither index.json (an OCI image layout) nor manifest.json (a docker save archive)");
    }
    unstage(intake.seen().keySet());
    int fresh = (int) intake.seen().values().stream().filter(b -> b).count();
    ImportSummary summary = new ImportSummary(
        imported, fresh, intake.seen().size() - fresh, intake.bytesNew(), Duration.ofNanos(System.nanoTime() - started));
    progress.note("imported " + imported.size() + " image(s) from " + bundle + ": " + summary.blobsNew() + " new blob(s) ("
        + summary.bytes() + " bytes), " + summary.blobsExisting() + " already stored, in " + summary.took().toMillis() + " ms");
    return summary;
  }

  /** One image of the bundle and the references it goes under. */
  private record Planned(ImageStore.Parsed image, List<Reference> references, String source) {}

  private List<ImportedImage> importLayout(BundleContents c, ImageStore images, ImportOptions options, String bundle) {
    Manifest index;
    try {
      index = new ManifestParser(BundleReader.MAX_JSON).parse(c.indexJson, null);
    } catch (OciException e) {
      throw new OciException(e.error(), "index.json of " + bundle + " is invalid: " + e.getMessage(), e);
    }
    if (!index.isIndex()) {
      throw new OciException(OciError.MANIFEST_INVALID, "index.json of " + bundle + " is not an image index");
    }
    List<DockerSaveManifest.Item> items =
        c.dockerManifest == null ? List.of() : DockerSaveManifest.parse(c.dockerManifest, bundle);
    List<Descriptor> unnamed = new ArrayList<>();
    List<Planned> plans = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      ImageStore.Parsed image = images.find(d.digest(), d.mediaType()).orElseThrow(() -> new OciException(
          OciError.MANIFEST_UNKNOWN, "index.json of " + bundle + " lists " + d.digest() + ", which is not in the bundle"));
      NameRules.Names names = NameRules.resolve(d.annotations(), repoTags(image, items, c, images), null);
      if (names == null) {
        unnamed.add(d);
      }
      plans.add(new Planned(image, names == null ? List.of() : names.references(), names == null ? "" : names.source()));
    }
    nameUnnamed(plans, unnamed, options, bundle);
    List<ImportedImage> out = new ArrayList<>();
    for (Planned plan : plans) {
      for (Reference ref : plan.references()) {
        images.store(plan.image(), ref, options.project());
        Digest digest = plan.image().manifest().digest();
        progress.note("stored " + ref + " as " + digest + " (named by " + plan.source() + "), pinned, listed in " + options.project());
        out.add(new ImportedImage(ref.toString(), digest, false));
      }
    }
    return out;
  }

  private List<ImportedImage> importDockerSave(BundleContents c, ImageStore images, ImportOptions options, String bundle) {
    List<DockerSaveManifest.Item> items = DockerSaveManifest.parse(c.dockerManifest, bundle);
    List<Planned> plans = new ArrayList<>();
    List<Descriptor> unnamed = new ArrayList<>();
    for (DockerSaveManifest.Item item : items) {
      DockerSaveManifest.Blob config = blob(c, item.config(), "config", bundle);
      List<DockerSaveManifest.Blob> layers = new ArrayList<>();
      for (String layer : item.layers()) {
        layers.add(blob(c, layer, "layer", bundle));
      }
      byte[] body = DockerSaveManifest.ociManifest(config, layers);
      Manifest m = new ManifestParser(BundleReader.MAX_JSON).parse(body, null);
      NameRules.Names names = NameRules.resolve(Map.of(), item.repoTags(), null);
      if (names == null) {
        unnamed.add(m.toDescriptor());
      }
      plans.add(new Planned(new ImageStore.Parsed(m, body), names == null ? List.of() : names.references(),
          names == null ? "" : names.source()));
    }
    nameUnnamed(plans, unnamed, options, bundle);
    List<ImportedImage> out = new ArrayList<>();
    for (Planned plan : plans) {
      for (Reference ref : plan.references()) {
        images.store(plan.image(), ref, options.project());
        Digest digest = plan.image().manifest().digest();
        progress.note("stored " + ref + " as " + digest + " (named by " + plan.source() + "), pinned, listed in " + options.project()
            + "; docker save holds no registry manifest, so wharf wrote one and this digest is new");
        out.add(new ImportedImage(ref.toString(), digest, true));
      }
    }
    return out;
  }

  /** Gives {@code --name} to the one image without a name, or fails naming what is missing. */
  private void nameUnnamed(List<Planned> plans, List<Descriptor> unnamed, ImportOptions options, String bundle) {
    if (unnamed.isEmpty()) {
      return;
    }
    if (options.name() == null || unnamed.size() > 1) {
      String which = unnamed.stream().map(d -> d.digest().toString()).reduce((a, b) -> a + ", " + b).orElse("");
      throw new OciException(OciError.NAME_UNKNOWN, options.name() == null
          ? "cannot tell the name of image(s) " + which + " in " + bundle + ": no " + NameRules.CONTAINERD_NAME
              + " annotation, no fully qualified " + NameRules.OCI_REF_NAME + ", no RepoTags; give one with --name"
          : "--name names one image, but " + unnamed.size() + " images in " + bundle + " have no name: " + which);
    }
    NameRules.Names names = Objects.requireNonNull(NameRules.resolve(Map.of(), List.of(), options.name()));
    for (int i = 0; i < plans.size(); i++) {
      if (plans.get(i).references().isEmpty()) {
        plans.set(i, new Planned(plans.get(i).image(), names.references(), names.source()));
      }
    }
  }

  /** The RepoTags a docker 25+ manifest.json gives the image whose config (or a child's) matches. */
  private List<String> repoTags(ImageStore.Parsed image, List<DockerSaveManifest.Item> items, BundleContents c, ImageStore images) {
    if (items.isEmpty()) {
      return List.of();
    }
    Set<Digest> configs = new HashSet<>();
    Manifest m = image.manifest();
    if (m.config() != null) {
      configs.add(m.config().digest());
    }
    for (Descriptor child : m.manifests()) {
      images.find(child.digest(), child.mediaType()).map(p -> p.manifest().config()).ifPresent(d -> configs.add(d.digest()));
    }
    List<String> tags = new ArrayList<>();
    for (DockerSaveManifest.Item item : items) {
      Digest config = c.digestOf(item.config());
      if (config != null && configs.contains(config)) {
        tags.addAll(item.repoTags());
      }
    }
    return tags;
  }

  private DockerSaveManifest.Blob blob(BundleContents c, String path, String what, String bundle) {
    Digest d = c.digestOf(path);
    Optional<BlobInfo> blob = d == null ? Optional.empty() : storage.blobs().find(d);
    if (blob.isEmpty()) {
      throw new OciException(OciError.BLOB_UNKNOWN, "manifest.json of " + bundle + " names " + what + " " + path + ", which is not in the bundle");
    }
    return new DockerSaveManifest.Blob(blob.get().digest(), blob.get().size());
  }

  /** Takes this bundle's blobs out of the staging repository: every image that needs them links them now. */
  private void unstage(Set<Digest> digests) {
    for (Digest d : digests) {
      if (storage.blobs().findIn(BlobIntake.STAGING, d).isPresent()) {
        try {
          storage.blobs().unlink(BlobIntake.STAGING, d);
        } catch (OciException raced) {
          // another import unstaged it
        }
      }
    }
  }

  private static long totalSize(Path path) {
    try {
      return Files.isDirectory(path) ? FolderEntries.totalSize(path) : Files.isRegularFile(path) ? Files.size(path) : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}

package io.wharf.storage.bundle;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a bundle's entries once, in order: small JSON files into memory, blobs into storage through
 * {@link BlobIntake}. Recognised entries:
 *
 * <ul>
 *   <li>{@code oci-layout}, {@code index.json}: an OCI image layout (also docker 25+ save);
 *   <li>{@code manifest.json}: a docker save archive (classic, or beside an index.json);
 *   <li>{@code blobs/<alg>/<hex>}: a blob whose path says its digest;
 *   <li>{@code <64 hex>.json}: a classic docker save image config (named by its sha256);
 *   <li>{@code <id>/layer.tar}: a classic docker save layer, uncompressed; its digest is the config's
 *       diff_id for it when manifest.json and the config came first (then a stored layer is skipped
 *       unread), else whatever its bytes hash to.
 * </ul>
 *
 * Anything else ({@code <id>/json}, {@code VERSION}, {@code repositories}) is ignored.
 */
final class BundleReader {
  /** JSON files of a bundle are small; anything bigger is not what it claims to be. */
  static final int MAX_JSON = 4 * 1024 * 1024;

  private static final Pattern DOCKER_CONFIG = Pattern.compile("[0-9a-f]{64}\\.json");

  private final Storage storage;
  private final BlobIntake intake;
  private final Progress progress;
  private final String bundle;
  private @Nullable List<DockerSaveManifest.Item> dockerItems;

  BundleReader(Storage storage, BlobIntake intake, Progress progress, String bundle) {
    this.storage = storage;
    this.intake = intake;
    this.progress = progress;
    this.bundle = bundle;
  }

  BundleContents read(BundleEntries entries) throws IOException {
    BundleContents c = new BundleContents();
    BundleEntry e;
    while ((e = entries.next()) != null) {
      String path = e.path();
      if (e.isLink()) {
        c.links.put(path, e.linkTarget());
        continue;
      }
      switch (path) {
        case "oci-layout" -> c.ociLayout = small(e);
        case "index.json" -> c.indexJson = small(e);
        case "manifest.json" -> {
          c.dockerManifest = small(e);
          dockerItems = DockerSaveManifest.parse(c.dockerManifest, bundle);
        }
        default -> takeBlob(c, e);
      }
    }
    return c;
  }

  private void takeBlob(BundleContents c, BundleEntry e) throws IOException {
    String path = e.path();
    if (path.startsWith("blobs/")) {
      Digest d = BundleContents.blobDigest(path);
      if (d == null) {
        progress.note("ignoring " + path + ": not a blobs/<algorithm>/<hex> name");
        return;
      }
      c.files.put(path, intake.take(e, d).digest());
    } else if (DOCKER_CONFIG.matcher(path).matches()) {
      Digest d = Digest.parse("sha256:" + path.substring(0, 64));
      c.files.put(path, intake.take(e, d).digest());
    } else if (path.equals("layer.tar") || path.endsWith("/layer.tar")) {
      BlobInfo blob = intake.take(e, predictedLayer(c, path));
      c.files.put(path, blob.digest());
    }
  }

  /** A classic layer's digest from its config's diff_ids, when manifest.json and the config came first. */
  private @Nullable Digest predictedLayer(BundleContents c, String path) {
    if (dockerItems == null) {
      return null;
    }
    for (DockerSaveManifest.Item item : dockerItems) {
      int i = item.layers().indexOf(path);
      if (i < 0) {
        continue;
      }
      Digest config = c.digestOf(item.config());
      if (config == null) {
        return null;
      }
      List<Digest> diffIds = storage.blobs().find(config)
          .filter(b -> b.size() <= MAX_JSON)
          .map(b -> DockerSaveManifest.diffIds(readAll(b)))
          .orElse(List.of());
      return i < diffIds.size() ? diffIds.get(i) : null;
    }
    return null;
  }

  private byte[] small(BundleEntry e) throws IOException {
    if (e.size() > MAX_JSON) {
      throw new OciException(OciError.MANIFEST_INVALID,
          e.path() + " in " + bundle + " is " + e.size() + " bytes, more than a bundle's JSON file can be (" + MAX_JSON + ")");
    }
    byte[] b = e.body().readNBytes((int) e.size());
    if (b.length != e.size()) {
      throw new OciException(OciError.BLOB_UPLOAD_INVALID, "bundle " + bundle + " ends inside " + e.path() + ": it is truncated");
    }
    return b;
  }

  static byte[] readAll(BlobInfo blob) {
    try {
      return Files.readAllBytes(blob.path());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read blob " + blob.digest(), e);
    }
  }
}

package io.wharf.storage.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.wharf.oci.Digest;
import io.wharf.oci.Digester;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.manifest.Descriptor;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.oci.manifest.MediaTypes;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.ManifestEntry;
import io.wharf.storage.Progress;
import io.wharf.storage.Storage;
import io.wharf.storage.index.TagRecord;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.StorageFailure;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Exports cached images as an OCI image layout in a zstd-compressed tar, which {@code wharf import}
 * and {@code skopeo copy oci-archive:} both read: {@code oci-layout}, then {@code index.json} (so an
 * importer knows the images before their blobs), then {@code blobs/sha256/<hex>}. Each image is
 * listed in index.json with its full reference in {@code org.opencontainers.image.ref.name} and
 * {@code io.containerd.image.name}.
 *
 * <p>Streamed: blobs go from their files through the compressor into a temp file beside the output,
 * which is fsynced and renamed into place only when complete, so a failed export never leaves a
 * truncated bundle under the requested name. Every blob is hashed as it is written and must match
 * its digest, so a blob damaged on disk fails the export instead of poisoning the bundle.
 *
 * <p>Multi-platform images: the index is exported as it is, byte for byte, with every platform
 * storage holds whole (manifest, config and layers); platforms the cache never pulled are left out
 * and reported ({@link ExportedImage#missingPlatforms()}). Keeping the original index keeps its
 * digest, which Kubernetes manifests often pin ({@code nginx@sha256:...}); rewriting it to list only
 * present platforms would give every imported site a digest no upstream ever served. The OCI image
 * layout spec allows this ("The blobs directory MAY be missing referenced blobs"); wharf's import and
 * skopeo's copy of the host's platform read such a bundle, a {@code skopeo copy --all} of it fails on
 * the missing platform.
 */
public final class BundleExporter {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final int ZSTD_LEVEL = 3;
  private static final int CHUNK = 1024 * 1024;
  /** Fixed entry times, so exporting the same images twice gives the same bytes. */
  private static final long ENTRY_TIME = 0;

  private final Storage storage;
  private final Progress progress;
  private final ManifestParser parser = new ManifestParser(BundleReader.MAX_JSON);

  public BundleExporter(Storage storage, Progress progress) {
    this.storage = Objects.requireNonNull(storage, "storage");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /** One image to export, resolved. */
  private record Planned(Reference reference, ManifestEntry entry, List<String> missingPlatforms) {}

  /**
   * @param images references with their host; one without a host is Docker-normalised ({@code nginx}
   *     is {@code docker.io/library/nginx:latest})
   * @throws OciException MANIFEST_UNKNOWN when an image is not in storage, BLOB_UNKNOWN when an
   *     image (or the only platform of it) misses a blob, DIGEST_INVALID when a stored blob is damaged,
   *     UNAVAILABLE when the disk is full; the output is then left as it was
   */
  public ExportSummary export(List<Reference> images, Path output) {
    long started = System.nanoTime();
    if (images.isEmpty()) {
      throw new OciException(OciError.NAME_UNKNOWN, "no image to export");
    }
    Map<Digest, BlobInfo> blobs = new LinkedHashMap<>();
    List<Planned> plans = new ArrayList<>();
    for (Reference ref : images) {
      plans.add(plan(Reference.parseNormalized(ref.toString()), blobs));
    }
    long total = blobs.values().stream().mapToLong(BlobInfo::size).sum();
    progress.begin("export " + output, total);
    Path target = output.toAbsolutePath().normalize();
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      AtomicFiles.createDirectories(target.getParent());
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        // closing the tar closes the compressor (which writes the frame's end) but not the channel,
        // which is fsynced only once everything is in it
        OutputStream file = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(channel)) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        }, CHUNK);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new ZstdOutputStreamNoFinalizer(file, ZSTD_LEVEL))) {
          tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
          tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
          writeSmall(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
          writeSmall(tar, "index.json", indexJson(plans));
          for (BlobInfo blob : blobs.values()) {
            writeBlob(tar, blob);
          }
          tar.finish();
        }
        channel.force(true);
      }
      AtomicFiles.move(tmp, target);
    } catch (IOException e) {
      throw StorageFailure.of("cannot write bundle " + target, e);
    } finally {
      AtomicFiles.deleteQuietly(tmp);
    }
    List<ExportedImage> exported = new ArrayList<>();
    for (Planned p : plans) {
      exported.add(new ExportedImage(p.reference().toString(), p.entry().digest(), p.missingPlatforms()));
    }
    ExportSummary summary = new ExportSummary(target, exported, blobs.size(), total, Duration.ofNanos(System.nanoTime() - started));
    progress.note("exported " + exported.size() + " image(s), " + blobs.size() + " blob(s) (" + total + " bytes) to " + target);
    return summary;
  }

  private Planned plan(Reference ref, Map<Digest, BlobInfo> blobs) {
    RepositoryName repo = CanonicalName.repository(ref);
    Digest digest = ref.digest();
    if (digest == null) {
      Optional<TagRecord> tag = storage.tags().find(repo, Objects.requireNonNull(ref.tag()));
      if (tag.isEmpty()) {
        throw new OciException(OciError.MANIFEST_UNKNOWN, ref + " is not in storage");
      }
      digest = Digest.parse(tag.get().digest());
    }
    ManifestEntry entry = storage.manifests().find(repo, digest)
        .orElseThrow(() -> new OciException(OciError.MANIFEST_UNKNOWN, ref + " is not in storage"));
    Manifest m = parser.parse(entry.body(), entry.record().mediaType(), digest);
    List<String> missing = new ArrayList<>();
    if (m.isIndex()) {
      int present = 0;
      for (Descriptor child : m.manifests()) {
        Map<Digest, BlobInfo> childBlobs = new LinkedHashMap<>();
        String platform = child.platform() == null ? child.digest().toString() : child.platform().toString();
        if (whole(repo, child.digest(), childBlobs)) {
          blobs.putAll(childBlobs);
          present++;
        } else {
          missing.add(platform);
          progress.note(ref + ": platform " + platform + " is not (wholly) in storage; the bundle will not have it");
        }
      }
      if (present == 0 && !m.manifests().isEmpty()) {
        throw new OciException(OciError.BLOB_UNKNOWN, ref + ": no platform of this index is wholly in storage");
      }
    } else {
      for (Descriptor d : m.blobs()) {
        blobs.put(d.digest(), storage.blobs().findIn(repo, d.digest()).orElseThrow(() -> new OciException(
            OciError.BLOB_UNKNOWN, ref + " is incomplete in storage: " + d.mediaType() + " " + d.digest() + " is missing")));
      }
    }
    blobs.put(digest, storage.blobs().find(digest).orElseThrow(
        () -> new OciException(OciError.MANIFEST_UNKNOWN, ref + ": manifest bytes " + entry.digest() + " are missing")));
    return new Planned(ref, entry, missing);
  }

  /** Whether a child manifest and every blob under it are stored; collects them when so. */
  private boolean whole(RepositoryName repo, Digest digest, Map<Digest, BlobInfo> out) {
    Optional<ManifestEntry> entry = storage.manifests().find(repo, digest);
    Optional<BlobInfo> bytes = storage.blobs().find(digest);
    if (entry.isEmpty() || bytes.isEmpty()) {
      return false;
    }
    Manifest m = parser.parse(entry.get().body(), entry.get().record().mediaType(), digest);
    for (Descriptor d : m.blobs()) {
      Optional<BlobInfo> blob = storage.blobs().findIn(repo, d.digest());
      if (blob.isEmpty()) {
        return false;
      }
      out.put(d.digest(), blob.get());
    }
    for (Descriptor child : m.manifests()) {
      if (!whole(repo, child.digest(), out)) {
        return false;
      }
    }
    out.put(digest, bytes.get());
    return true;
  }

  private static byte[] indexJson(List<Planned> plans) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = root.putArray("manifests");
    for (Planned p : plans) {
      ObjectNode d = manifests.addObject();
      d.put("mediaType", p.entry().record().mediaType());
      d.put("digest", p.entry().digest().toString());
      d.put("size", p.entry().body().length);
      ObjectNode annotations = d.putObject("annotations");
      annotations.put(NameRules.CONTAINERD_NAME, p.reference().toString());
      annotations.put(NameRules.OCI_REF_NAME, p.reference().toString());
    }
    return JSON.writeValueAsBytes(root);
  }

  private static void writeSmall(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    tar.putArchiveEntry(entry(name, content.length));
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private void writeBlob(TarArchiveOutputStream tar, BlobInfo blob) throws IOException {
    Digest digest = blob.digest();
    tar.putArchiveEntry(entry("blobs/" + digest.algorithm().label() + "/" + digest.hex(), blob.size()));
    Digester hasher = Digester.of(digest.algorithm());
    byte[] buffer = new byte[CHUNK];
    long written = 0;
    try (InputStream in = Files.newInputStream(blob.path())) {
      int n;
      while (written < blob.size() && (n = in.read(buffer, 0, (int) Math.min(buffer.length, blob.size() - written))) > 0) {
        hasher.update(buffer, 0, n);
        tar.write(buffer, 0, n);
        written += n;
        progress.advance(n);
      }
    }
    Digest actual = hasher.digest();
    if (written != blob.size() || !actual.equals(digest)) {
      throw new OciException(OciError.DIGEST_INVALID,
          "stored blob " + digest + " is damaged (" + written + " bytes hashing to " + actual + "); run wharf fsck");
    }
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0644);
    e.setModTime(ENTRY_TIME);
    return e;
  }
}

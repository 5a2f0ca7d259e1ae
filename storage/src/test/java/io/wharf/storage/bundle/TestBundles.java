package io.wharf.storage.bundle;

import com.github.luben.zstd.ZstdOutputStream;
import io.wharf.oci.Digest;
import io.wharf.oci.manifest.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Bundles written by the tests, byte by byte, as the tools that make them do: OCI image layouts
 * (folder, tar, tar.zst, tar.gz), classic docker save archives and docker 25+ saves.
 */
final class TestBundles {
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

  private TestBundles() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] random(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  /** A blob of an image. */
  record Blob(String mediaType, byte[] bytes) {
    Digest digest() {
      return Digest.sha256Of(bytes);
    }

    String descriptor() {
      return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest() + "\",\"size\":" + bytes.length + "}";
    }
  }

  /** An image: its config, layers and manifest bytes (or an index and its children). */
  record Image(byte[] manifest, String mediaType, List<Blob> blobs, List<Image> children, @Nullable String platform) {
    Digest digest() {
      return Digest.sha256Of(manifest);
    }

    String descriptor(Map<String, String> annotations) {
      String ann = annotations.isEmpty() ? "" : ",\"annotations\":{" + annotations.entrySet().stream()
          .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"").collect(Collectors.joining(",")) + "}";
      String plat = platform == null ? "" : ",\"platform\":{\"os\":\"linux\",\"architecture\":\"" + platform + "\"}";
      return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest() + "\",\"size\":" + manifest.length + plat + ann + "}";
    }

    /** Every blob and manifest of the image, children first. */
    Map<Digest, byte[]> contents() {
      Map<Digest, byte[]> out = new LinkedHashMap<>();
      for (Image c : children) {
        out.putAll(c.contents());
      }
      for (Blob b : blobs) {
        out.put(b.digest(), b.bytes());
      }
      out.put(digest(), manifest);
      return out;
    }
  }

  /** An OCI image with a config and {@code layers} gzipped tars of a random file of {@code size} bytes. */
  static Image image(Random r, int layers, int size, @Nullable String platform) {
    List<Blob> blobs = new ArrayList<>();
    blobs.add(new Blob(CONFIG_TYPE, utf8("{\"architecture\":\"" + (platform == null ? "amd64" : platform)
        + "\",\"os\":\"linux\",\"seed\":" + r.nextLong() + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")));
    for (int i = 0; i < layers; i++) {
      // a real tar.gz, as registries serve: tools such as skopeo recompress what is not gzip
      blobs.add(new Blob(LAYER_TYPE, gzip(tar(Map.of("file-" + i, random(r, size))))));
    }
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + blobs.get(0).descriptor()
        + ",\"layers\":[" + blobs.stream().skip(1).map(Blob::descriptor).collect(Collectors.joining(",")) + "]}";
    return new Image(utf8(manifest), MediaTypes.OCI_MANIFEST, blobs, List.of(), platform);
  }

  /** An OCI index over these platform images. */
  static Image index(List<Image> children) {
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
        + children.stream().map(c -> c.descriptor(Map.of())).collect(Collectors.joining(",")) + "]}";
    return new Image(utf8(manifest), MediaTypes.OCI_INDEX, List.of(), children, null);
  }

  /** An OCI image layout's files, in the order a tar of it holds them. */
  static final class Layout {
    final Map<String, byte[]> files = new LinkedHashMap<>();
    private final List<String> index = new ArrayList<>();

    /** Adds an image (every blob of it) named by these index.json annotations. */
    Layout add(Image image, Map<String, String> annotations) {
      image.contents().forEach((d, b) -> files.put("blobs/sha256/" + d.hex(), b));
      index.add(image.descriptor(annotations));
      return this;
    }

    /** Drops one blob, as a layout that misses a platform does. */
    Layout without(Digest digest) {
      files.remove("blobs/sha256/" + digest.hex());
      return this;
    }

    /** Blobs first, then index.json and oci-layout: the order skopeo's oci-archive (a lexical walk) writes. */
    Map<String, byte[]> entries() {
      Map<String, byte[]> out = new LinkedHashMap<>(files);
      out.put("index.json", utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
          + String.join(",", index) + "]}"));
      out.put("oci-layout", utf8("{\"imageLayoutVersion\":\"1.0.0\"}"));
      return out;
    }
  }

  static Path writeFolder(Map<String, byte[]> entries, Path dir) throws IOException {
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, e.getValue());
    }
    return dir;
  }

  /** A tar of these entries, in order; a value of null with a target in {@code links} writes a symlink. */
  static byte[] tar(Map<String, byte[]> entries, Map<String, String> links) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
      for (Map.Entry<String, String> l : links.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(l.getKey(), TarArchiveEntry.LF_SYMLINK);
        entry.setLinkName(l.getValue());
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] tar(Map<String, byte[]> entries) {
    return tar(entries, Map.of());
  }

  static byte[] zstd(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new ZstdOutputStream(out)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A classic docker save image: its config (with diff_ids) and uncompressed layer tars. */
  record SavedImage(byte[] config, List<byte[]> layers, List<String> repoTags) {
    Digest configDigest() {
      return Digest.sha256Of(config);
    }
  }

  static SavedImage savedImage(Random r, int layers, int size, List<String> repoTags) {
    List<byte[]> l = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      l.add(random(r, size));
    }
    String diffIds = l.stream().map(b -> "\"" + Digest.sha256Of(b) + "\"").collect(Collectors.joining(","));
    byte[] config = utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + r.nextLong()
        + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}");
    return new SavedImage(config, l, repoTags);
  }

  /**
   * A classic docker save archive's entries: {@code <id>/layer.tar}, {@code <id>/json}, {@code
   * <id>/VERSION}, {@code <config hex>.json}, then manifest.json and repositories (Go's lexical walk).
   * Layer ids are made up, as docker's v1 ids are not content digests.
   */
  static Map<String, byte[]> dockerSave(List<SavedImage> images) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    StringBuilder manifest = new StringBuilder("[");
    int n = 0;
    for (SavedImage image : images) {
      List<String> layerPaths = new ArrayList<>();
      for (byte[] layer : image.layers()) {
        String id = Digest.sha256Of(utf8("v1id" + Digest.sha256Of(layer) + n++)).hex();
        out.put(id + "/VERSION", utf8("1.0"));
        out.put(id + "/json", utf8("{\"id\":\"" + id + "\"}"));
        out.put(id + "/layer.tar", layer);
        layerPaths.add(id + "/layer.tar");
      }
      out.put(image.configDigest().hex() + ".json", image.config());
      if (manifest.length() > 1) {
        manifest.append(',');
      }
      manifest.append("{\"Config\":\"").append(image.configDigest().hex()).append(".json\",\"RepoTags\":[")
          .append(image.repoTags().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(",")))
          .append("],\"Layers\":[").append(layerPaths.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(",")))
          .append("]}");
    }
    out.put("manifest.json", utf8(manifest.append(']').toString()));
    out.put("repositories", utf8("{}"));
    return out;
  }
}

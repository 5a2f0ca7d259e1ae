package io.wharf.storage;

import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
import io.wharf.oci.Digester;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import io.wharf.oci.manifest.Manifest;
import io.wharf.oci.manifest.ManifestParser;
import io.wharf.oci.manifest.MediaTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/** Blobs and manifests for the storage tests, pushed through the public API as a client would. */
final class TestContent {
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  private static final ManifestParser PARSER = new ManifestParser();

  private TestContent() {}

  static RepositoryName repo(String name) {
    return RepositoryName.parse(name);
  }

  static Tag tag(String tag) {
    return Tag.parse(tag);
  }

  static byte[] bytes(Random random, int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Digest sha256(byte[] content) {
    return Digest.sha256Of(content);
  }

  static Digest sha512(byte[] content) {
    Digester d = Digester.of(DigestAlgorithm.SHA512);
    d.update(content, 0, content.length);
    return d.digest();
  }

  /** Uploads in one request (a monolithic PUT) and completes. */
  static BlobInfo upload(Storage storage, RepositoryName repo, byte[] content) {
    return upload(storage, repo, content, sha256(content));
  }

  static BlobInfo upload(Storage storage, RepositoryName repo, byte[] content, Digest digest) {
    Upload u = storage.uploads().start(repo);
    try (UploadWriter w = storage.uploads().open(repo, u.id(), 0)) {
      w.write(ByteBuffer.wrap(content));
    }
    return storage.uploads().complete(repo, u.id(), digest);
  }

  /** A manifest as a client pushes it: parsed, and the exact bytes it was parsed from. */
  record Pushed(Manifest manifest, byte[] body) {
    Digest digest() {
      return manifest.digest();
    }

    void put(Storage storage, RepositoryName repo, @Nullable Tag tag) {
      storage.manifests().put(repo, manifest, body, tag);
    }
  }

  /** An OCI image manifest whose config and layers are these blobs, with an optional subject. */
  static Pushed image(List<BlobInfo> blobs, @Nullable Pushed subject, @Nullable String artifactType) {
    BlobInfo config = blobs.get(0);
    String layers =
        blobs.stream().skip(1).map(b -> descriptor(LAYER_TYPE, b.digest(), b.size())).collect(Collectors.joining(","));
    StringBuilder json = new StringBuilder()
        .append("{\"schemaVersion\":2,\"mediaType\":\"").append(MediaTypes.OCI_MANIFEST).append("\",")
        .append("\"config\":").append(descriptor(CONFIG_TYPE, config.digest(), config.size())).append(',')
        .append("\"layers\":[").append(layers).append(']');
    if (artifactType != null) {
      json.append(",\"artifactType\":\"").append(artifactType).append('"');
    }
    if (subject != null) {
      Manifest m = subject.manifest();
      json.append(",\"subject\":").append(descriptor(m.mediaType(), m.digest(), m.size()));
      json.append(",\"annotations\":{\"org.example.note\":\"refers to ").append(subject.digest().hex(), 0, 12).append("\"}");
    }
    return parse(text(json.append('}').toString()));
  }

  /** An OCI index listing these manifests. */
  static Pushed index(List<Pushed> children) {
    String manifests =
        children.stream().map(Pushed::manifest).map(m -> descriptor(m.mediaType(), m.digest(), m.size())).collect(Collectors.joining(","));
    return parse(text("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[" + manifests + "]}"));
  }

  private static Pushed parse(byte[] body) {
    return new Pushed(PARSER.parse(body, null), body);
  }

  private static String descriptor(String mediaType, Digest digest, long size) {
    return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
  }

  /** A file's bytes as a string, for comparing link files exactly. */
  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every regular file under a folder (none when it does not exist). */
  static List<Path> filesUnder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

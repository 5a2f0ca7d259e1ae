package io.wharf.bench.seed;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.bench.Profile;
import io.wharf.bench.content.SyntheticBlob;
import io.wharf.bench.http.Body;
import io.wharf.bench.registry.OciPaths;
import io.wharf.bench.registry.RegistryClient;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Pushes a profile's synthetic images: {@code bench/blob-<size>:1} (one layer each) and {@code
 * bench/app:1} (an OCI index of linux/amd64 and linux/arm64). Content is a function of the image
 * name and size, so a second seed finds every blob by HEAD and uploads nothing.
 */
public final class Seeder {

  public static final String APP_REPOSITORY = "bench/app";
  public static final String TAG = "1";
  private static final List<String> APP_PLATFORMS = List.of("linux/amd64", "linux/arm64");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryClient registry;
  private final Consumer<String> progress;

  public Seeder(RegistryClient registry, Consumer<String> progress) {
    this.registry = requireNonNull(registry, "registry");
    this.progress = requireNonNull(progress, "progress");
  }

  public SeedFile seed(Profile profile) throws IOException {
    var images = new ArrayList<SeedImage>();
    for (long size : profile.blobSizes()) {
      String name = "bench/blob-" + Profile.shortSize(size);
      SeedManifest m = pushPlatform(name, "linux/amd64", List.of(size));
      registry.putManifest(name, TAG, m.mediaType(), manifestJson(m));
      progress.accept(name + ":" + TAG + " -> " + m.digest());
      images.add(new SeedImage(name, TAG, SeedImage.ROLE_BLOB, m.mediaType(), m.digest(), m.size(), List.of(m)));
    }
    var manifests = new ArrayList<SeedManifest>();
    for (String platform : APP_PLATFORMS) {
      SeedManifest m = pushPlatform(APP_REPOSITORY, platform, profile.appLayerSizes());
      registry.putManifest(APP_REPOSITORY, m.digest(), m.mediaType(), manifestJson(m));
      manifests.add(m);
    }
    byte[] index = indexJson(manifests);
    String indexDigest = sha256(index);
    registry.putManifest(APP_REPOSITORY, TAG, OciPaths.OCI_INDEX, index);
    progress.accept(APP_REPOSITORY + ":" + TAG + " -> " + indexDigest + " (index of " + APP_PLATFORMS + ")");
    images.add(new SeedImage(APP_REPOSITORY, TAG, SeedImage.ROLE_APP, OciPaths.OCI_INDEX, indexDigest,
        index.length, manifests));
    return new SeedFile(profile.name(), registry.base().toString(), images);
  }

  /** Pushes the layers and config of one platform image; returns its manifest (not yet pushed). */
  private SeedManifest pushPlatform(String repository, String platform, List<Long> layerSizes) throws IOException {
    var layers = new ArrayList<SeedBlob>();
    for (int i = 0; i < layerSizes.size(); i++) {
      long size = layerSizes.get(i);
      SyntheticBlob blob = SyntheticBlob.named(repository + "/" + platform + "/layer" + i, size);
      long t0 = System.nanoTime();
      String digest = blob.digest();
      boolean uploaded = registry.pushBlobIfMissing(repository, digest, blob.body());
      progress.accept(String.format("%s %s layer %d %s %s: %s in %.1f s", repository, platform, i, Profile.sizeLabel(size),
          digest, uploaded ? "pushed" : "present", (System.nanoTime() - t0) / 1e9));
      layers.add(new SeedBlob(OciPaths.OCI_LAYER, digest, size));
    }
    byte[] config = configJson(platform, layers);
    String configDigest = sha256(config);
    registry.pushBlobIfMissing(repository, configDigest, Body.of(config));
    var partial = new SeedManifest(platform, OciPaths.OCI_MANIFEST, "", 0,
        new SeedBlob(OciPaths.OCI_CONFIG, configDigest, config.length), layers);
    byte[] manifest = manifestJson(partial);
    return new SeedManifest(platform, OciPaths.OCI_MANIFEST, sha256(manifest), manifest.length,
        partial.config(), layers);
  }

  private static byte[] configJson(String platform, List<SeedBlob> layers) throws IOException {
    String[] osArch = platform.split("/", 2);
    var rootfs = new LinkedHashMap<String, Object>();
    rootfs.put("type", "layers");
    // the layers are uncompressed (media type ...tar), so each diff_id is the layer's digest
    rootfs.put("diff_ids", layers.stream().map(SeedBlob::digest).toList());
    var config = new LinkedHashMap<String, Object>();
    config.put("architecture", osArch[1]);
    config.put("os", osArch[0]);
    config.put("config", Map.of());
    config.put("rootfs", rootfs);
    return JSON.writeValueAsBytes(config);
  }

  private static byte[] manifestJson(SeedManifest m) throws IOException {
    var manifest = new LinkedHashMap<String, Object>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciPaths.OCI_MANIFEST);
    manifest.put("config", descriptor(m.config()));
    manifest.put("layers", m.layers().stream().map(Seeder::descriptor).toList());
    return JSON.writeValueAsBytes(manifest);
  }

  private static byte[] indexJson(List<SeedManifest> manifests) throws IOException {
    var entries = new ArrayList<Map<String, Object>>();
    for (SeedManifest m : manifests) {
      String[] osArch = m.platform().split("/", 2);
      var e = new LinkedHashMap<String, Object>();
      e.put("mediaType", m.mediaType());
      e.put("digest", m.digest());
      e.put("size", m.size());
      var platform = new LinkedHashMap<String, Object>();
      platform.put("architecture", osArch[1]);
      platform.put("os", osArch[0]);
      e.put("platform", platform);
      entries.add(e);
    }
    var index = new LinkedHashMap<String, Object>();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciPaths.OCI_INDEX);
    index.put("manifests", entries);
    return JSON.writeValueAsBytes(index);
  }

  private static Map<String, Object> descriptor(SeedBlob b) {
    var d = new LinkedHashMap<String, Object>();
    d.put("mediaType", b.mediaType());
    d.put("digest", b.digest());
    d.put("size", b.size());
    return d;
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

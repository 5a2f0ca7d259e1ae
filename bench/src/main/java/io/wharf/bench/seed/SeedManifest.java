package io.wharf.bench.seed;

import java.util.ArrayList;
import java.util.List;

/**
 * One image manifest (one platform) of a seeded image.
 *
 * @param platform {@code os/architecture}, such as {@code linux/amd64}
 * @param mediaType the manifest's media type
 * @param digest the manifest's digest
 * @param size the manifest's length in bytes
 * @param config the config blob
 * @param layers the layer blobs, in manifest order
 */
public record SeedManifest(String platform, String mediaType, String digest, long size, SeedBlob config,
    List<SeedBlob> layers) {

  public SeedManifest {
    layers = List.copyOf(layers);
  }

  /** The config, then the layers. */
  public List<SeedBlob> blobs() {
    var all = new ArrayList<SeedBlob>(layers.size() + 1);
    all.add(config);
    all.addAll(layers);
    return all;
  }
}

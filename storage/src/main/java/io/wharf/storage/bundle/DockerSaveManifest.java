package io.wharf.storage.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.manifest.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code manifest.json} of a {@code docker save} archive: per image, its config file, its
 * RepoTags and its layer files in order. Classic archives hold no registry manifest, so wharf writes
 * an OCI image manifest for each image ({@link #ociManifest}): same config and layers, uncompressed
 * layer media type, so its digest is new.
 */
final class DockerSaveManifest {
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** One image of the archive: bundle paths as manifest.json writes them. */
  record Item(String config, List<String> repoTags, List<String> layers) {
    Item {
      repoTags = List.copyOf(repoTags);
      layers = List.copyOf(layers);
    }
  }

  /** A blob the written manifest references. */
  record Blob(Digest digest, long size) {}

  private DockerSaveManifest() {}

  /** @throws OciException MANIFEST_INVALID when manifest.json is not docker save's shape */
  static List<Item> parse(byte[] json, String bundle) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw invalid(bundle, "malformed JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (root == null || !root.isArray()) {
      throw invalid(bundle, "not a JSON array");
    }
    List<Item> items = new ArrayList<>();
    for (JsonNode n : root) {
      JsonNode config = n.get("Config");
      if (config == null || !config.isTextual()) {
        throw invalid(bundle, "an image has no Config");
      }
      items.add(new Item(config.textValue(), strings(n.get("RepoTags"), "RepoTags", bundle), strings(n.get("Layers"), "Layers", bundle)));
    }
    return items;
  }

  /** The diff_ids of a docker image config, in layer order: the digests of its uncompressed layers. */
  static List<Digest> diffIds(byte[] config) {
    try {
      JsonNode ids = JSON.readTree(config).path("rootfs").path("diff_ids");
      List<Digest> out = new ArrayList<>();
      for (JsonNode id : ids) {
        out.add(Digest.parse(id.asText()));
      }
      return out;
    } catch (IOException | OciException e) {
      return List.of();
    }
  }

  /** The OCI image manifest wharf writes for a classic docker save image; the same inputs give the same bytes. */
  static byte[] ociManifest(Blob config, List<Blob> layers) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_MANIFEST);
    root.set("config", descriptor(CONFIG_TYPE, config));
    ArrayNode array = root.putArray("layers");
    for (Blob layer : layers) {
      array.add(descriptor(LAYER_TYPE, layer));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a manifest", e);
    }
  }

  private static ObjectNode descriptor(String mediaType, Blob blob) {
    ObjectNode d = JSON.createObjectNode();
    d.put("mediaType", mediaType);
    d.put("digest", blob.digest().toString());
    d.put("size", blob.size());
    return d;
  }

  private static List<String> strings(JsonNode node, String field, String bundle) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw invalid(bundle, "'" + field + "' is not an array");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode n : node) {
      if (!n.isTextual()) {
        throw invalid(bundle, "'" + field + "' holds a non-string");
      }
      out.add(n.textValue());
    }
    return out;
  }

  private static OciException invalid(String bundle, String why) {
    return new OciException(OciError.MANIFEST_INVALID, "manifest.json of " + bundle + " is invalid: " + why);
  }
}

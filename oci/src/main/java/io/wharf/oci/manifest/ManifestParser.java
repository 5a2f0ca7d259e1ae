package io.wharf.oci.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses manifest bytes as a client pushed them or an upstream returned them, and says what they
 * reference. Only {@link OciException} ever escapes: MANIFEST_INVALID with a reason for anything
 * malformed, schema1 included.
 *
 * <p>Thread-safe; one instance can serve every request.
 */
public final class ManifestParser {
  /** The cap the spec suggests registries accept at least ("4 megabytes"). */
  public static final int DEFAULT_MAX_SIZE = 4 * 1024 * 1024;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  static {
    // a manifest is flat; deep nesting is an attack, not content
    JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
  }

  private final int maxSize;

  public ManifestParser(int maxSize) {
    if (maxSize <= 0) {
      throw new IllegalArgumentException("maxSize <= 0");
    }
    this.maxSize = maxSize;
  }

  public ManifestParser() {
    this(DEFAULT_MAX_SIZE);
  }

  public int maxSize() {
    return maxSize;
  }

  /**
   * Parses a manifest.
   *
   * @param body the exact bytes; the manifest's digest is their sha256
   * @param contentType the Content-Type it came with, or null when unknown
   * @return what the manifest is and references
   * @throws OciException MANIFEST_INVALID (413 when larger than the cap)
   */
  public Manifest parse(byte[] body, @Nullable String contentType) {
    if (body.length > maxSize) {
      throw tooLarge(body.length);
    }
    return parse(body, contentType, Digest.sha256Of(body));
  }

  /** The error for a body over the cap, also thrown by callers that count bytes as they arrive. */
  public OciException tooLarge(long size) {
    return OciException.withStatus(
        OciError.MANIFEST_INVALID, 413, "manifest larger than " + maxSize + " bytes (" + size + ")");
  }

  /** Parses a manifest whose digest is already known (it was computed while the bytes arrived). */
  public Manifest parse(byte[] body, @Nullable String contentType, Digest digest) {
    if (body.length > maxSize) {
      throw tooLarge(body.length);
    }
    String declaredType = contentType == null ? null : MediaTypes.bare(contentType);
    if (declaredType != null && MediaTypes.isSchema1(declaredType)) {
      throw schema1();
    }
    if (!startsAsUtf8(body)) {
      throw invalid("not UTF-8 JSON");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw invalid("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw invalid("manifest is not a JSON object");
    }
    JsonNode schemaVersion = root.get("schemaVersion");
    if (schemaVersion != null && schemaVersion.isInt() && schemaVersion.intValue() == 1) {
      throw schema1();
    }
    if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
      throw invalid("schemaVersion must be 2");
    }
    String mediaType = mediaType(root, declaredType);
    boolean index = MediaTypes.isIndex(mediaType);
    Descriptor config = null;
    List<Descriptor> layers = List.of();
    List<Descriptor> manifests = List.of();
    if (index) {
      manifests = descriptors(root, "manifests", true);
      if (root.has("config") || root.has("layers")) {
        throw invalid("an index has no config or layers");
      }
    } else {
      config = descriptor(required(root, "config"), "config");
      layers = descriptors(root, "layers", MediaTypes.DOCKER_MANIFEST.equals(mediaType));
      if (root.has("manifests")) {
        throw invalid("an image manifest has no manifests list");
      }
    }
    Descriptor subject = root.has("subject") ? descriptor(root.get("subject"), "subject") : null;
    String artifactType = optionalText(root, "artifactType");
    return new Manifest(
        digest, mediaType, body.length, config, layers, manifests, subject, artifactType, annotations(root, "annotations"));
  }

  private static String mediaType(JsonNode root, @Nullable String declared) {
    String field = optionalText(root, "mediaType");
    if (field != null && MediaTypes.isSchema1(field)) {
      throw schema1();
    }
    boolean declaredUseful = declared != null && MediaTypes.isManifest(declared);
    if (field != null && declaredUseful && !field.equals(declared)) {
      // distribution refuses this too: the digest would name two different things
      throw invalid("mediaType '" + field + "' does not match Content-Type '" + declared + "'");
    }
    String type = field != null ? field : declaredUseful ? declared : null;
    if (type == null) {
      // OCI allows omitting mediaType; tell image from index by shape
      type = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }
    if (!MediaTypes.isManifest(type)) {
      throw invalid("unsupported manifest media type '" + type + "'");
    }
    return type;
  }

  private static List<Descriptor> descriptors(JsonNode root, String field, boolean required) {
    JsonNode array = root.get(field);
    if (array == null || array.isNull()) {
      if (required) {
        throw invalid("missing '" + field + "'");
      }
      return List.of();
    }
    if (!array.isArray()) {
      throw invalid("'" + field + "' is not an array");
    }
    List<Descriptor> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(descriptor(array.get(i), field + "[" + i + "]"));
    }
    return out;
  }

  private static Descriptor descriptor(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw invalid("'" + where + "' is not a descriptor object");
    }
    String mediaType = optionalText(node, "mediaType");
    if (mediaType == null || mediaType.isEmpty()) {
      throw invalid("'" + where + "' has no mediaType");
    }
    String digestText = optionalText(node, "digest");
    if (digestText == null) {
      throw invalid("'" + where + "' has no digest");
    }
    Digest digest;
    try {
      digest = Digest.parse(digestText);
    } catch (OciException e) {
      throw invalid("'" + where + "' has an invalid digest");
    }
    JsonNode size = node.get("size");
    if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
      throw invalid("'" + where + "' has no valid size");
    }
    return new Descriptor(
        mediaType, digest, size.longValue(), optionalText(node, "artifactType"), platform(node, where),
        annotations(node, where + ".annotations"));
  }

  private static @Nullable Platform platform(JsonNode node, String where) {
    JsonNode p = node.get("platform");
    if (p == null || p.isNull()) {
      return null;
    }
    String os = p.isObject() ? optionalText(p, "os") : null;
    String arch = p.isObject() ? optionalText(p, "architecture") : null;
    if (os == null || arch == null) {
      throw invalid("'" + where + ".platform' needs os and architecture");
    }
    return new Platform(os, arch, optionalText(p, "variant"));
  }

  private static Map<String, String> annotations(JsonNode node, String where) {
    JsonNode a = node.get("annotations");
    if (a == null || a.isNull()) {
      return Map.of();
    }
    if (!a.isObject()) {
      throw invalid("'" + where + "' is not an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : a.properties()) {
      if (!e.getValue().isTextual()) {
        throw invalid("annotation '" + e.getKey() + "' is not a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  private static JsonNode required(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw invalid("missing '" + field + "'");
    }
    return n;
  }

  private static @Nullable String optionalText(JsonNode node, String field) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw invalid("'" + field + "' is not a string");
    }
    return n.textValue();
  }

  /**
   * Whether the body can be UTF-8 JSON. Jackson would detect UTF-16 or UTF-32 (from a byte order
   * mark or NULs in the first four bytes) and decode it, and skip a UTF-8 byte order mark. RFC 8259
   * section 8.1 requires UTF-8 and forbids sending a byte order mark; distribution and the Go
   * clients reject such bodies, so a manifest wharf accepts must be one they can read. A UTF-8 JSON
   * text starts with an ASCII byte and never holds a raw NUL.
   */
  private static boolean startsAsUtf8(byte[] body) {
    if (body.length > 0 && (body[0] & 0x80) != 0) {
      return false;
    }
    for (int i = 0; i < Math.min(4, body.length); i++) {
      if (body[i] == 0) {
        return false;
      }
    }
    return true;
  }

  private static OciException schema1() {
    return new OciException(
        OciError.MANIFEST_INVALID,
        "schema1 manifests are not supported: push an OCI or Docker schema2 manifest instead");
  }

  private static OciException invalid(String reason) {
    return new OciException(OciError.MANIFEST_INVALID, "manifest invalid: " + reason);
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}

package io.wharf.oci.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Seeds;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ManifestParserTest {
  private static final String CONFIG = "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7";
  private static final String LAYER1 = "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0";
  private static final String LAYER2 = "sha256:3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b";
  private static final String CHILD1 = "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f";
  private static final String CHILD2 = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";
  private static final String EMPTY = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

  private static final String OCI_IMAGE = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.signature.v1",
        "config": {
          "mediaType": "application/vnd.oci.image.config.v1+json",
          "digest": "%s",
          "size": 7023
        },
        "layers": [
          {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": "%s",
            "size": 32654,
            "annotations": { "org.opencontainers.image.title": "layer one.tar.gz" }
          },
          {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
            "digest": "%s",
            "size": 0
          }
        ],
        "subject": {
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "digest": "%s",
          "size": 7682
        },
        "annotations": {
          "com.example.key1": "value1",
          "org.opencontainers.image.created": "2026-11-24T21:00:00Z"
        }
      }
      """.formatted(CONFIG, LAYER1, LAYER2, CHILD2);

  private static final String DOCKER_IMAGE = """
      {
         "schemaVersion": 2,
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "%s"
         },
         "layers": [
            {
               "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "size": 32654,
               "digest": "%s"
            },
            {
               "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
               "size": 16724,
               "digest": "%s",
               "urls": ["https://mcr.microsoft.com/v2/windows/blobs/x"]
            }
         ]
      }
      """.formatted(CONFIG, LAYER1, LAYER2);

  private static final String OCI_INDEX = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "size": 7143,
            "digest": "%s",
            "platform": { "architecture": "ppc64le", "os": "linux" }
          },
          {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "size": 7682,
            "digest": "%s",
            "platform": { "architecture": "arm64", "os": "linux", "variant": "v8", "os.features": ["x"] },
            "annotations": { "vnd.docker.reference.type": "none" }
          }
        ],
        "annotations": { "com.example.key1": "value1" }
      }
      """.formatted(CHILD1, CHILD2);

  private static final String DOCKER_LIST = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "digest": "%s",
            "size": 7143,
            "platform": { "architecture": "amd64", "os": "linux" }
          },
          {
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "digest": "%s",
            "size": 7682,
            "platform": { "architecture": "arm", "os": "linux", "variant": "v7", "features": ["sse4"] }
          }
        ]
      }
      """.formatted(CHILD1, CHILD2);

  private static final String ARTIFACT = """
      {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.sbom.v1+json",
        "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": "%s", "size": 2, "data": "e30=" },
        "layers": [ { "mediaType": "application/vnd.oci.empty.v1+json", "digest": "%s", "size": 2 } ],
        "annotations": { "org.opencontainers.image.created": "2023-01-02T03:04:05Z" }
      }
      """.formatted(EMPTY, EMPTY);

  private static final List<String> FIXTURES = List.of(OCI_IMAGE, DOCKER_IMAGE, OCI_INDEX, DOCKER_LIST, ARTIFACT);

  private static final ObjectMapper TREE = new ObjectMapper();
  private final ManifestParser parser = new ManifestParser();

  @Test
  void parsesAnOciImageManifestWithSubjectArtifactTypeAndAnnotations() {
    Manifest m = parse(OCI_IMAGE, MediaTypes.OCI_MANIFEST);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(m.isIndex()).isFalse();
    assertThat(m.config()).isEqualTo(Descriptor.of("application/vnd.oci.image.config.v1+json", Digest.parse(CONFIG), 7023));
    assertThat(m.layers()).hasSize(2);
    assertThat(m.layers().get(0).mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
    assertThat(m.layers().get(0).digest()).isEqualTo(Digest.parse(LAYER1));
    assertThat(m.layers().get(0).size()).isEqualTo(32654);
    assertThat(m.layers().get(0).annotations()).containsExactly(Map.entry("org.opencontainers.image.title", "layer one.tar.gz"));
    assertThat(m.layers().get(1)).isEqualTo(Descriptor.of("application/vnd.oci.image.layer.v1.tar+zstd", Digest.parse(LAYER2), 0));
    assertThat(m.manifests()).isEmpty();
    assertThat(m.subject()).isEqualTo(Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.parse(CHILD2), 7682));
    assertThat(m.artifactType()).isEqualTo("application/vnd.example.signature.v1");
    assertThat(m.effectiveArtifactType()).isEqualTo("application/vnd.example.signature.v1");
    assertThat(m.annotations())
        .containsOnly(Map.entry("com.example.key1", "value1"), Map.entry("org.opencontainers.image.created", "2026-11-24T21:00:00Z"));
    assertThat(m.blobs()).containsExactly(m.config(), m.layers().get(0), m.layers().get(1));
  }

  @Test
  void parsesADockerSchema2Manifest() {
    Manifest m = parse(DOCKER_IMAGE, MediaTypes.DOCKER_MANIFEST);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(m.isIndex()).isFalse();
    assertThat(m.config().mediaType()).isEqualTo("application/vnd.docker.container.image.v1+json");
    assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(Digest.parse(LAYER1), Digest.parse(LAYER2));
    assertThat(m.layers()).extracting(Descriptor::size).containsExactly(32654L, 16724L);
    assertThat(m.subject()).isNull();
    assertThat(m.artifactType()).isNull();
    assertThat(m.effectiveArtifactType()).isEqualTo("application/vnd.docker.container.image.v1+json");
    assertThat(m.annotations()).isEmpty();
  }

  @Test
  void parsesAnOciIndexWithPlatforms() {
    Manifest m = parse(OCI_INDEX, MediaTypes.OCI_INDEX);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
    assertThat(m.isIndex()).isTrue();
    assertThat(m.config()).isNull();
    assertThat(m.layers()).isEmpty();
    assertThat(m.blobs()).isEmpty();
    assertThat(m.manifests()).extracting(Descriptor::digest).containsExactly(Digest.parse(CHILD1), Digest.parse(CHILD2));
    assertThat(m.manifests()).extracting(Descriptor::platform)
        .containsExactly(new Platform("linux", "ppc64le", null), new Platform("linux", "arm64", "v8"));
    assertThat(m.manifests().get(1).platform()).hasToString("linux/arm64/v8");
    assertThat(m.manifests().get(0).platform()).hasToString("linux/ppc64le");
    assertThat(m.manifests().get(1).annotations()).containsExactly(Map.entry("vnd.docker.reference.type", "none"));
    assertThat(m.annotations()).containsExactly(Map.entry("com.example.key1", "value1"));
    assertThat(m.effectiveArtifactType()).isNull();
  }

  @Test
  void parsesADockerManifestList() {
    Manifest m = parse(DOCKER_LIST, MediaTypes.DOCKER_MANIFEST_LIST);

    assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(m.isIndex()).isTrue();
    assertThat(m.manifests()).extracting(Descriptor::mediaType).containsOnly(MediaTypes.DOCKER_MANIFEST);
    assertThat(m.manifests()).extracting(d -> d.platform().toString()).containsExactly("linux/amd64", "linux/arm/v7");
  }

  @Test
  void parsesAnArtifactManifestUsingTheEmptyConfig() {
    Manifest m = parse(ARTIFACT, MediaTypes.OCI_MANIFEST);

    assertThat(Digest.sha256Of("{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(Digest.parse(EMPTY));
    assertThat(m.config()).isEqualTo(Descriptor.of(MediaTypes.OCI_EMPTY, Digest.parse(EMPTY), 2));
    assertThat(m.layers()).containsExactly(Descriptor.of(MediaTypes.OCI_EMPTY, Digest.parse(EMPTY), 2));
    assertThat(m.artifactType()).isEqualTo("application/vnd.example.sbom.v1+json");
    assertThat(m.effectiveArtifactType()).isEqualTo("application/vnd.example.sbom.v1+json");
    Descriptor d = m.toDescriptor();
    assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(d.digest()).isEqualTo(m.digest());
    assertThat(d.size()).isEqualTo(m.size());
    assertThat(d.artifactType()).isEqualTo("application/vnd.example.sbom.v1+json");
    assertThat(d.annotations()).isEqualTo(m.annotations());
  }

  @Test
  void effectiveArtifactTypeFallsBackToTheConfigMediaTypeForImagesOnly() {
    String image = """
        {"schemaVersion":2,"config":{"mediaType":"application/vnd.example.config.v1+json","digest":"%s","size":2},"layers":[]}
        """.formatted(EMPTY);
    String index = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/x.set","manifests":[]}
        """;

    assertThat(parse(image, null).effectiveArtifactType()).isEqualTo("application/vnd.example.config.v1+json");
    assertThat(parse(index, null).effectiveArtifactType()).isEqualTo("application/x.set");
    assertThat(parse(OCI_INDEX, null).effectiveArtifactType()).isNull();
  }

  @Test
  void anEmptyArtifactTypeCountsAsMissing() {
    String image = """
        {"schemaVersion":2,"artifactType":"","config":{"mediaType":"application/vnd.example.config.v1+json","digest":"%s","size":2},"layers":[]}
        """.formatted(EMPTY);
    String index = """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"","manifests":[]}
        """;

    // spec (referrers): "If the artifactType is empty or missing in the image manifest, the value of
    // artifactType MUST be set to the config descriptor mediaType value. If the artifactType is empty
    // or missing in an index, the artifactType MUST be omitted."
    assertThat(parse(image, null).effectiveArtifactType()).isEqualTo("application/vnd.example.config.v1+json");
    assertThat(parse(image, null).toDescriptor().artifactType()).isEqualTo("application/vnd.example.config.v1+json");
    assertThat(parse(index, null).effectiveArtifactType()).isNull();
    assertThat(parse(index, null).toDescriptor().artifactType()).isNull();
  }

  static Stream<Arguments> nonUtf8Encodings() {
    byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
    byte[] utf8 = OCI_IMAGE.getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[bom.length + utf8.length];
    System.arraycopy(bom, 0, withBom, 0, bom.length);
    System.arraycopy(utf8, 0, withBom, bom.length, utf8.length);
    return Stream.of(
        arguments("UTF-16BE", OCI_IMAGE.getBytes(StandardCharsets.UTF_16BE)),
        arguments("UTF-16LE", OCI_IMAGE.getBytes(StandardCharsets.UTF_16LE)),
        arguments("UTF-16 with byte order mark", OCI_IMAGE.getBytes(StandardCharsets.UTF_16)),
        arguments("UTF-32", OCI_IMAGE.getBytes(Charset.forName("UTF-32"))),
        arguments("UTF-8 with byte order mark", withBom));
  }

  // RFC 8259 8.1: JSON exchanged between systems MUST be UTF-8 without a byte order mark; registry:2
  // and the Go clients refuse anything else, so wharf must not cache what they cannot read
  @ParameterizedTest(name = "{0}")
  @MethodSource("nonUtf8Encodings")
  void rejectsManifestsNotEncodedAsUtf8(String encoding, byte[] body) {
    assertThatThrownBy(() -> parser.parse(body, MediaTypes.OCI_MANIFEST))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID));
  }

  @Test
  void digestIsTheSha256OfTheExactBytes() {
    for (String fixture : FIXTURES) {
      byte[] body = fixture.getBytes(StandardCharsets.UTF_8);
      byte[] reformatted = (" " + fixture.strip() + "\n\n").getBytes(StandardCharsets.UTF_8);

      Manifest m = parser.parse(body, null);
      Manifest same = parser.parse(reformatted, null);

      assertThat(m.digest()).isEqualTo(Digest.sha256Of(body));
      assertThat(m.size()).isEqualTo(body.length);
      assertThat(same.digest()).isEqualTo(Digest.sha256Of(reformatted)).isNotEqualTo(m.digest());
      assertThat(same.size()).isEqualTo(reformatted.length);
    }
  }

  @Test
  void keepsADigestComputedWhileTheBytesArrived() {
    byte[] body = OCI_IMAGE.getBytes(StandardCharsets.UTF_8);
    Digest known = Digest.sha256Of(body);

    assertThat(parser.parse(body, MediaTypes.OCI_MANIFEST, known).digest()).isEqualTo(known);
  }

  /** body without a mediaType field, Content-Type, the media type inferred. */
  static Stream<Arguments> inferredMediaTypes() {
    String image = withoutMediaType(OCI_IMAGE);
    String docker = withoutMediaType(DOCKER_IMAGE);
    String index = withoutMediaType(OCI_INDEX);
    String list = withoutMediaType(DOCKER_LIST);
    return Stream.of(
        arguments(image, null, MediaTypes.OCI_MANIFEST),
        arguments(image, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_MANIFEST),
        arguments(image, "application/json", MediaTypes.OCI_MANIFEST),
        arguments(image, "", MediaTypes.OCI_MANIFEST),
        arguments(docker, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST),
        arguments(docker, "Application/VND.Docker.Distribution.Manifest.v2+JSON; charset=utf-8", MediaTypes.DOCKER_MANIFEST),
        arguments(docker, null, MediaTypes.OCI_MANIFEST),
        arguments(index, null, MediaTypes.OCI_INDEX),
        arguments(index, "application/octet-stream", MediaTypes.OCI_INDEX),
        arguments(index, MediaTypes.OCI_INDEX + " ; charset=utf-8", MediaTypes.OCI_INDEX),
        arguments(list, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST_LIST),
        arguments(list, null, MediaTypes.OCI_INDEX));
  }

  @ParameterizedTest
  @MethodSource("inferredMediaTypes")
  void infersAnAbsentMediaTypeFromContentTypeOrShape(String body, String contentType, String expected) {
    assertThat(parse(body, contentType).mediaType()).isEqualTo(expected);
  }

  @Test
  void acceptsAContentTypeWithParametersThatMatchesTheField() {
    assertThat(parse(OCI_IMAGE, "application/vnd.oci.image.manifest.v1+json; charset=utf-8").mediaType())
        .isEqualTo(MediaTypes.OCI_MANIFEST);
  }

  @Test
  void rejectsAMediaTypeFieldThatContradictsTheContentType() {
    assertThatThrownBy(() -> parse(OCI_IMAGE, MediaTypes.DOCKER_MANIFEST))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains(MediaTypes.OCI_MANIFEST).contains(MediaTypes.DOCKER_MANIFEST);
        });
    assertThatThrownBy(() -> parse(OCI_INDEX, MediaTypes.OCI_MANIFEST)).isInstanceOf(OciException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {MediaTypes.DOCKER_SCHEMA1, MediaTypes.DOCKER_SCHEMA1_SIGNED,
      "application/vnd.docker.distribution.manifest.v1+prettyjws; charset=utf-8"})
  void rejectsSchema1ByContentType(String contentType) {
    assertSchema1(() -> parse(DOCKER_IMAGE, contentType));
    assertSchema1(() -> parse(SCHEMA1, contentType));
  }

  private static final String SCHEMA1 = """
      {
         "name": "library/hello-world",
         "tag": "latest",
         "architecture": "amd64",
         "fsLayers": [ { "blobSum": "%s" } ],
         "history": [ { "v1Compatibility": "{\\"id\\":\\"x\\"}" } ],
         "schemaVersion": 1,
         "signatures": [ { "header": { "alg": "ES256" }, "signature": "abc", "protected": "def" } ]
      }
      """.formatted(LAYER1);

  @Test
  void rejectsSchema1ByBody() {
    assertSchema1(() -> parse(SCHEMA1, null));
    assertSchema1(() -> parse(SCHEMA1, "application/json"));
    assertSchema1(() -> parse(DOCKER_IMAGE.replace(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_SCHEMA1), null));
  }

  private static void assertSchema1(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(OciException.class, e -> {
      assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).contains("schema1").contains("not supported");
    });
  }

  /** name, body: each must fail with MANIFEST_INVALID (400). */
  static Stream<Arguments> invalidManifests() {
    String d = "\"digest\":\"" + LAYER1 + "\"";
    String cfg = "\"config\":{\"mediaType\":\"a/b\"," + d + ",\"size\":1}";
    return Stream.of(
        arguments("empty body", ""),
        arguments("whitespace", "  \n"),
        arguments("malformed JSON", "{"),
        arguments("unquoted key", "{schemaVersion:2}"),
        arguments("single quotes", "{'schemaVersion':2}"),
        arguments("comment", "/* x */ " + OCI_IMAGE),
        arguments("trailing garbage", OCI_IMAGE + "x"),
        arguments("trailing object", OCI_IMAGE + "{}"),
        arguments("trailing comma", "{\"schemaVersion\":2," + cfg + ",}"),
        arguments("JSON array", "[" + OCI_IMAGE + "]"),
        arguments("JSON string", "\"manifest\""),
        arguments("JSON null", "null"),
        arguments("JSON number", "2"),
        arguments("no schemaVersion", "{" + cfg + ",\"layers\":[]}"),
        arguments("schemaVersion 3", "{\"schemaVersion\":3," + cfg + ",\"layers\":[]}"),
        arguments("schemaVersion string", "{\"schemaVersion\":\"2\"," + cfg + ",\"layers\":[]}"),
        arguments("schemaVersion float", "{\"schemaVersion\":2.0," + cfg + ",\"layers\":[]}"),
        arguments("schemaVersion huge", "{\"schemaVersion\":" + "9".repeat(40) + "," + cfg + ",\"layers\":[]}"),
        arguments("missing config", "{\"schemaVersion\":2,\"layers\":[]}"),
        arguments("null config", "{\"schemaVersion\":2,\"config\":null,\"layers\":[]}"),
        arguments("config not an object", "{\"schemaVersion\":2,\"config\":\"x\",\"layers\":[]}"),
        arguments("layers not an array", "{\"schemaVersion\":2," + cfg + ",\"layers\":{}}"),
        arguments("layers a string", "{\"schemaVersion\":2," + cfg + ",\"layers\":\"x\"}"),
        arguments("layer not an object", "{\"schemaVersion\":2," + cfg + ",\"layers\":[1]}"),
        arguments("layer null", "{\"schemaVersion\":2," + cfg + ",\"layers\":[null]}"),
        arguments("bad digest", OCI_IMAGE.replace(LAYER1, "sha256:1234")),
        arguments("uppercase digest", OCI_IMAGE.replace(LAYER1, LAYER1.toUpperCase(Locale.ROOT))),
        arguments("md5 digest", OCI_IMAGE.replace(LAYER1, "md5:d41d8cd98f00b204e9800998ecf8427e")),
        arguments("path traversal digest", OCI_IMAGE.replace(LAYER1, "sha256:../../../../etc/passwd")),
        arguments("digest a number", OCI_IMAGE.replace("\"" + LAYER1 + "\"", "5")),
        arguments("missing digest", "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"size\":1},\"layers\":[]}"),
        arguments("negative size", OCI_IMAGE.replace("32654", "-1")),
        arguments("fractional size", OCI_IMAGE.replace("32654", "1.5")),
        arguments("size as string", OCI_IMAGE.replace("32654", "\"32654\"")),
        arguments("size beyond long", OCI_IMAGE.replace("32654", "9".repeat(30))),
        arguments("missing size", "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\"," + d + "},\"layers\":[]}"),
        arguments("missing mediaType", "{\"schemaVersion\":2,\"config\":{" + d + ",\"size\":1},\"layers\":[]}"),
        arguments("empty mediaType", "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"\"," + d + ",\"size\":1},\"layers\":[]}"),
        arguments("mediaType a number", OCI_IMAGE.replace("\"application/vnd.oci.image.config.v1+json\"", "7")),
        arguments("duplicate top-level key", "{\"schemaVersion\":2,\"schemaVersion\":2," + cfg + ",\"layers\":[]}"),
        arguments("duplicate descriptor key", OCI_IMAGE.replace("\"size\": 7023", "\"size\": 7023, \"size\": 7023")),
        arguments("duplicate annotation", OCI_IMAGE.replace("\"com.example.key1\": \"value1\"",
            "\"com.example.key1\": \"value1\", \"com.example.key1\": \"value2\"")),
        arguments("deep nesting", "[".repeat(1000)),
        arguments("deep nesting in a field", "{\"schemaVersion\":2,\"annotations\":" + "[".repeat(1000) + "]".repeat(1000) + "}"),
        arguments("deep objects", "{\"a\":".repeat(1000) + "1" + "}".repeat(1000)),
        arguments("unsupported mediaType", OCI_IMAGE.replace("\"" + MediaTypes.OCI_MANIFEST + "\",\n  \"artifactType",
            "\"application/vnd.oci.image.config.v1+json\",\n  \"artifactType")),
        arguments("mediaType not a string", "{\"schemaVersion\":2,\"mediaType\":[]," + cfg + ",\"layers\":[]}"),
        arguments("index with layers", OCI_INDEX.replace("\"manifests\"", "\"layers\": [],\n  \"manifests\"")),
        arguments("index with config", OCI_INDEX.replace("\"manifests\"", cfg + ",\n  \"manifests\"")),
        arguments("index without manifests", "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\"}"),
        arguments("index manifests not an array",
            "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":{}}"),
        arguments("image with manifests", OCI_IMAGE.replace("\"layers\"", "\"manifests\": [],\n  \"layers\"")),
        arguments("docker image without layers", "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST
            + "\"," + cfg + "}"),
        arguments("platform without architecture", OCI_INDEX.replace("\"architecture\": \"ppc64le\", ", "")),
        arguments("platform not an object", OCI_INDEX.replace("{ \"architecture\": \"ppc64le\", \"os\": \"linux\" }", "\"linux\"")),
        arguments("platform os a number", OCI_INDEX.replace("\"os\": \"linux\" }", "\"os\": 1 }")),
        arguments("annotations not an object", OCI_INDEX.replace("{ \"com.example.key1\": \"value1\" }", "[]")),
        arguments("annotation value not a string", OCI_INDEX.replace("\"value1\"", "1")),
        arguments("annotation value null", OCI_INDEX.replace("\"value1\"", "null")),
        arguments("artifactType not a string", OCI_IMAGE.replace("\"application/vnd.example.signature.v1\"", "{}")),
        arguments("subject not an object", OCI_IMAGE.replace("\"subject\": {", "\"subject\": [], \"x\": {")),
        arguments("subject without digest", OCI_IMAGE.replace("\"digest\": \"" + CHILD2 + "\",", "")),
        arguments("invalid UTF-8", new String(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, StandardCharsets.ISO_8859_1)),
        arguments("NUL in string", "{\"schemaVersion\":2,\"mediaType\":\"a\u0000b\"}"),
        arguments("long number", "{\"schemaVersion\":" + "1".repeat(5000) + "}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void rejectsInvalidManifestsWithManifestInvalid(String name, String body) {
    byte[] bytes = name.equals("invalid UTF-8") ? body.getBytes(StandardCharsets.ISO_8859_1) : body.getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> parser.parse(bytes, null))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).startsWith("manifest invalid: ").hasSizeLessThan(400);
        });
  }

  @Test
  void rejectsOneByteOverTheCapWith413() {
    ManifestParser small = new ManifestParser(2048);
    byte[] body = padded(OCI_IMAGE, 2049);

    assertThatThrownBy(() -> small.parse(body, null))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID);
          assertThat(e.status()).isEqualTo(413);
          assertThat(e.getMessage()).contains("2048").contains("2049");
        });
    assertThatThrownBy(() -> small.parse(body, null, Digest.sha256Of(body)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.status()).isEqualTo(413));
    assertThat(small.tooLarge(5000).status()).isEqualTo(413);
  }

  @Test
  void acceptsExactlyTheCap() {
    ManifestParser small = new ManifestParser(2048);
    byte[] body = padded(OCI_IMAGE, 2048);

    Manifest m = small.parse(body, null);

    assertThat(m.size()).isEqualTo(2048);
    assertThat(m.digest()).isEqualTo(Digest.sha256Of(body));
  }

  @Test
  void defaultCapIsFourMebibytes() {
    byte[] body = padded(OCI_IMAGE, ManifestParser.DEFAULT_MAX_SIZE + 1);

    assertThat(parser.maxSize()).isEqualTo(4 * 1024 * 1024);
    assertThatThrownBy(() -> parser.parse(body, null))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.status()).isEqualTo(413));
    assertThat(parser.parse(padded(OCI_IMAGE, ManifestParser.DEFAULT_MAX_SIZE), null).size())
        .isEqualTo(ManifestParser.DEFAULT_MAX_SIZE);
  }

  @Test
  void refusesANonPositiveCap() {
    assertThatThrownBy(() -> new ManifestParser(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManifestParser(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @RepeatedTest(100)
  void randomBytesOnlyEverThrowOciException(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    byte[] jsonish = "{}[]\":,0123456789-+.eEtrufalsn \n\\/u\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 100; i++) {
      byte[] body = new byte[r.nextInt(r.nextInt(10) == 0 ? 4096 : 64)];
      if (r.nextBoolean()) {
        r.nextBytes(body);
      } else {
        for (int j = 0; j < body.length; j++) {
          body[j] = jsonish[r.nextInt(jsonish.length)];
        }
      }
      String contentType = r.nextInt(3) == 0 ? null : MediaTypes.MANIFESTS.get(r.nextInt(MediaTypes.MANIFESTS.size()));
      assertOnlyOciException(body, contentType, seed, info);
    }
  }

  @RepeatedTest(120)
  void mutatedManifestsOnlyEverThrowOciException(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 40; i++) {
      String fixture = FIXTURES.get(r.nextInt(FIXTURES.size()));
      byte[] body = fixture.getBytes(StandardCharsets.UTF_8);
      int mutations = 1 + r.nextInt(3);
      for (int k = 0; k < mutations; k++) {
        body = switch (r.nextInt(6)) {
          case 0 -> flipByte(r, body);
          case 1 -> insertByte(r, body);
          case 2 -> deleteByte(r, body);
          case 3 -> dropField(r, body);
          case 4 -> replaceWithWrongType(r, body);
          default -> duplicateField(r, body);
        };
      }
      String contentType = r.nextInt(3) == 0 ? null : MediaTypes.MANIFESTS.get(r.nextInt(MediaTypes.MANIFESTS.size()));
      assertOnlyOciException(body, contentType, seed, info);
    }
  }

  @RepeatedTest(50)
  void duplicatedFieldsAreAlwaysRejected(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    String fixture = FIXTURES.get(r.nextInt(FIXTURES.size()));
    byte[] body = duplicateField(r, fixture.getBytes(StandardCharsets.UTF_8));
    Supplier<String> why = () -> Seeds.describe(seed, info) + " input " + new String(body, StandardCharsets.UTF_8);

    assertThatThrownBy(() -> parser.parse(body, null)).as(why)
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.MANIFEST_INVALID));
  }

  private void assertOnlyOciException(byte[] body, String contentType, long seed, RepetitionInfo info) {
    try {
      Manifest m = parser.parse(body, contentType);
      Supplier<String> why = () -> describe(body, contentType, seed, info);
      assertThat(m.digest()).as(why).isEqualTo(Digest.sha256Of(body));
      assertThat(m.size()).as(why).isEqualTo(body.length);
      assertThat(MediaTypes.isManifest(m.mediaType())).as(why).isTrue();
      if (m.isIndex()) {
        assertThat(m.config()).as(why).isNull();
        assertThat(m.layers()).as(why).isEmpty();
      } else {
        assertThat(m.config()).as(why).isNotNull();
        assertThat(m.manifests()).as(why).isEmpty();
      }
    } catch (OciException e) {
      assertThat(e.error()).as(() -> describe(body, contentType, seed, info)).isEqualTo(OciError.MANIFEST_INVALID);
      assertThat(e.status()).as(() -> describe(body, contentType, seed, info)).isIn(400, 413);
    } catch (Throwable t) {
      fail(describe(body, contentType, seed, info) + " threw " + t, t);
    }
  }

  private static String describe(byte[] body, String contentType, long seed, RepetitionInfo info) {
    return Seeds.describe(seed, info) + ", Content-Type " + contentType + ", input (hex) "
        + HexFormat.of().formatHex(body) + "\n" + new String(body, StandardCharsets.UTF_8);
  }

  private static byte[] flipByte(SplittableRandom r, byte[] body) {
    if (body.length == 0) {
      return body;
    }
    byte[] out = body.clone();
    int at = r.nextInt(out.length);
    out[at] = r.nextBoolean() ? (byte) (out[at] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
    return out;
  }

  private static byte[] insertByte(SplittableRandom r, byte[] body) {
    int at = r.nextInt(body.length + 1);
    byte[] out = new byte[body.length + 1];
    System.arraycopy(body, 0, out, 0, at);
    String candidates = "{}[]\",:0-\\ x\u0080";
    out[at] = (byte) candidates.charAt(r.nextInt(candidates.length()));
    System.arraycopy(body, at, out, at + 1, body.length - at);
    return out;
  }

  private static byte[] deleteByte(SplittableRandom r, byte[] body) {
    if (body.length == 0) {
      return body;
    }
    int at = r.nextInt(body.length);
    byte[] out = new byte[body.length - 1];
    System.arraycopy(body, 0, out, 0, at);
    System.arraycopy(body, at + 1, out, at, body.length - at - 1);
    return out;
  }

  /** Removes a random field of a random object, or a random element of a random array. */
  private static byte[] dropField(SplittableRandom r, byte[] body) {
    JsonNode root = tree(body);
    if (root == null) {
      return body;
    }
    List<JsonNode> containers = containers(root);
    JsonNode c = containers.get(r.nextInt(containers.size()));
    if (c.size() == 0) {
      return body;
    }
    if (c instanceof ObjectNode o) {
      o.remove(fieldNames(o).get(r.nextInt(o.size())));
    } else {
      ((ArrayNode) c).remove(r.nextInt(c.size()));
    }
    return bytes(root);
  }

  /** Replaces a random value with one of another JSON type, or an out-of-range number. */
  private static byte[] replaceWithWrongType(SplittableRandom r, byte[] body) {
    JsonNode root = tree(body);
    if (root == null) {
      return body;
    }
    List<JsonNode> containers = containers(root);
    JsonNode c = containers.get(r.nextInt(containers.size()));
    if (c.size() == 0) {
      return body;
    }
    JsonNode value = wrongValue(r);
    if (c instanceof ObjectNode o) {
      o.set(fieldNames(o).get(r.nextInt(o.size())), value);
    } else {
      ((ArrayNode) c).set(r.nextInt(c.size()), value);
    }
    return bytes(root);
  }

  /** Repeats a random field of a random object: a tree cannot hold the duplicate, so splice it in as text. */
  private static byte[] duplicateField(SplittableRandom r, byte[] body) {
    JsonNode root = tree(body);
    if (root == null) {
      return body;
    }
    List<ObjectNode> objects = new ArrayList<>();
    for (JsonNode c : containers(root)) {
      if (c instanceof ObjectNode o && o.size() > 0) {
        objects.add(o);
      }
    }
    if (objects.isEmpty()) {
      return body;
    }
    ObjectNode o = objects.get(r.nextInt(objects.size()));
    String name = fieldNames(o).get(r.nextInt(o.size()));
    String marker = "__duplicate_marker_" + r.nextInt(1_000_000) + "__";
    o.set(marker, r.nextBoolean() ? o.get(name) : wrongValue(r));
    String text = new String(bytes(root), StandardCharsets.UTF_8);
    String quotedName = JsonNodeFactory.instance.textNode(name).toString();
    return text.replace("\"" + marker + "\"", quotedName).getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode wrongValue(SplittableRandom r) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (r.nextInt(14)) {
      case 0 -> f.nullNode();
      case 1 -> f.booleanNode(r.nextBoolean());
      case 2 -> f.numberNode(0);
      case 3 -> f.numberNode(-1);
      case 4 -> f.numberNode(1.5);
      case 5 -> f.numberNode(Long.MAX_VALUE);
      case 6 -> f.numberNode(new BigInteger("9".repeat(40)));
      case 7 -> f.textNode("");
      case 8 -> f.textNode("sha256:" + "0".repeat(64));
      case 9 -> f.arrayNode();
      case 10 -> f.objectNode();
      case 11 -> f.arrayNode().add(f.objectNode()).add(f.nullNode());
      case 12 -> f.objectNode().put("mediaType", MediaTypes.OCI_MANIFEST).put("size", -5);
      default -> f.textNode("\u0000\ud800\"\\");
    };
  }

  private static JsonNode tree(byte[] body) {
    try {
      JsonNode root = TREE.readTree(body);
      return root != null && root.isContainerNode() ? root : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] bytes(JsonNode root) {
    try {
      return TREE.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<JsonNode> containers(JsonNode root) {
    List<JsonNode> out = new ArrayList<>();
    collect(root, out);
    return out;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      for (JsonNode child : node) {
        collect(child, out);
      }
    }
  }

  private static List<String> fieldNames(ObjectNode o) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  /** The text padded with trailing spaces (JSON whitespace) to exactly {@code size} bytes. */
  private static byte[] padded(String json, int size) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    assertThat(body.length).isLessThanOrEqualTo(size);
    byte[] out = new byte[size];
    System.arraycopy(body, 0, out, 0, body.length);
    Arrays.fill(out, body.length, size, (byte) ' ');
    return out;
  }

  private Manifest parse(String body, String contentType) {
    return parser.parse(body.getBytes(StandardCharsets.UTF_8), contentType);
  }

  private static String withoutMediaType(String fixture) {
    ObjectNode root = (ObjectNode) tree(fixture.getBytes(StandardCharsets.UTF_8));
    root.remove("mediaType");
    return new String(bytes(root), StandardCharsets.UTF_8);
  }
}

package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every YAML file in the repository parses, and every wharf config among them loads: examples under
 * {@code deploy/} cannot rot while the config changes.
 */
final class YamlFilesTest {
  private static final Set<String> SKIPPED = Set.of("target", ".git", "node_modules");
  private static final Pattern PARENT = Pattern.compile("(?s)<parent>.*?</parent>");
  private static final Pattern KEY_LINE = Pattern.compile("^\\s*(?:-\\s+)?([A-Za-z][A-Za-z0-9]*):");
  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private static final Path ROOT = repositoryRoot();
  private static final List<Path> FILES = yamlFiles(ROOT);
  private static final Path DEFAULT_FILE =
      ROOT.resolve("proxy/src/main/resources/wharf-default.yaml");

  @Test
  void findsTheEmbeddedDefaultSoTheOtherTestsCannotPassOnNothing() {
    assertThat(FILES).contains(DEFAULT_FILE);
    assertThat(FILES.stream().filter(YamlFilesTest::isWharfConfig)).contains(DEFAULT_FILE);
  }

  @TestFactory
  Stream<DynamicTest> everyYamlFileParses() {
    return FILES.stream()
        .map(file -> DynamicTest.dynamicTest(ROOT.relativize(file).toString(), () -> parse(file)));
  }

  @TestFactory
  Stream<DynamicTest> everyWharfConfigLoads() {
    return FILES.stream()
        .filter(YamlFilesTest::isWharfConfig)
        .map(
            file ->
                DynamicTest.dynamicTest(
                    ROOT.relativize(file).toString(),
                    () ->
                        assertThatCode(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                            .doesNotThrowAnyException()));
  }

  @Test
  void theDefaultFileCommentsEveryKey() throws IOException {
    List<String> lines = Files.readAllLines(DEFAULT_FILE);
    String previous = "";
    for (String line : lines) {
      Matcher key = KEY_LINE.matcher(line);
      if (key.find() && !line.trim().startsWith("#")) {
        assertThat(line.contains(" #") || previous.trim().startsWith("#"))
            .as(
                "key '%s' in wharf-default.yaml has no comment on its line or above it",
                key.group(1))
            .isTrue();
      }
      if (!line.isBlank()) {
        previous = line;
      }
    }
  }

  @Test
  void theDefaultFileDocumentsEveryKeyOfTheSchema() throws IOException {
    String text = Files.readString(DEFAULT_FILE);
    List<String> keys = new ArrayList<>();
    collectKeys(ConfigSchema.ROOT, keys);

    assertThat(keys).hasSizeGreaterThan(10);
    for (String key : keys) {
      assertThat(text).as("wharf-default.yaml documents '%s'", key).contains(key + ":");
    }
  }

  private static void collectKeys(ConfigSchema.Node node, List<String> keys) {
    if (node instanceof ConfigSchema.Section section) {
      for (ConfigSchema.Field field : section.fields().values()) {
        keys.add(field.name());
        collectKeys(field.node(), keys);
      }
    } else if (node instanceof ConfigSchema.ListOf list) {
      collectKeys(list.item(), keys);
    }
  }

  // the default, and the examples under deploy/config/
  private static boolean isWharfConfig(Path file) {
    return file.equals(DEFAULT_FILE) || file.getParent().equals(ROOT.resolve("deploy/config"));
  }

  private static void parse(Path file) throws IOException {
    try (MappingIterator<JsonNode> documents =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      documents.readAll();
    }
  }

  /** The folder of the top-level pom.xml, found walking up from the module directory. */
  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path pom = dir.resolve("pom.xml");
      try {
        // proxy/pom.xml names wharf-parent too, as its <parent>
        if (Files.isRegularFile(pom)
            && PARENT
                .matcher(Files.readString(pom))
                .replaceAll("")
                .contains("<artifactId>wharf-parent</artifactId>")) {
          return dir;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException(
        "no wharf-parent pom.xml above " + Path.of("").toAbsolutePath());
  }

  private static List<Path> yamlFiles(Path root) {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              return SKIPPED.contains(dir.getFileName().toString()) && !dir.equals(root)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String name = file.getFileName().toString();
              if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                files.add(file);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return List.copyOf(files);
  }
}

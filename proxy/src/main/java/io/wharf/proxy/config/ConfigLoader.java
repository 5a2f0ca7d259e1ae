package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Loads the configuration: the embedded {@code /wharf-default.yaml}, then the operator's file over
 * it, then {@code WHARF_*} environment variables, bound to {@link WharfConfig}.
 *
 * <p>Implementation notes. The layers are merged as YAML trees before binding, so a key missing
 * from the file keeps its default: sections merge key by key, a list replaces the default list
 * whole. The trees are checked against {@link ConfigSchema} first, which is what can name the file
 * an unknown key came from; binding still fails on unknown properties as a second line. Every
 * failure, Jackson's included, becomes a {@link ConfigException} naming the dotted key and, when
 * the value came from the file or a variable, that source. An optional key set to an empty string
 * is unset (a Kubernetes Secret cannot unset a variable it templates). A relative {@code
 * storage.path} or {@code caFile} is resolved against the working directory.
 */
public final class ConfigLoader {
  /** The classpath resource holding the one annotated default. */
  static final String DEFAULTS = "/wharf-default.yaml";

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .addModule(new ConfigModule())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.WRAP_EXCEPTIONS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private ConfigLoader() {}

  /**
   * Loads the defaults, {@code file} if present, and the {@code WHARF_*} variables of {@code env}
   * (other variables are ignored).
   *
   * @param file the operator's YAML file; every key is optional
   * @param env the environment, {@code System.getenv()} in the daemon
   * @throws ConfigException naming the key, value and source of the first problem found
   */
  public static WharfConfig load(Optional<Path> file, Map<String, String> env) {
    return load(file, env, Path.of("").toAbsolutePath());
  }

  static WharfConfig load(Optional<Path> file, Map<String, String> env, Path workingDirectory) {
    requireNonNull(file, "file");
    requireNonNull(env, "env");
    Map<ConfigKey, String> sources = new HashMap<>();
    ObjectNode tree = readDefaults();
    if (file.isPresent()) {
      ObjectNode overrides = readFile(file.get());
      ConfigSchema.checkFile(overrides, file.get().toString());
      recordSources(overrides, ConfigKey.ROOT, file.get().toString(), sources);
      merge(tree, overrides);
    }
    new EnvOverrides(ConfigSchema.ROOT).apply(tree, env, sources);
    ConfigSchema.checkComplete(ConfigSchema.ROOT, tree, key -> sourceOf(key, sources));
    ConfigSchema.clearEmptyOptionals(ConfigSchema.ROOT, tree);
    WharfConfig config = bind(tree, sources).withPathsUnder(workingDirectory);
    checkCaFiles(config, sources);
    return config;
  }

  // a CA bundle that cannot be read would fail every TLS handshake later, far from its cause
  private static void checkCaFiles(WharfConfig config, Map<ConfigKey, String> sources) {
    for (int i = 0; i < config.upstreams().size(); i++) {
      Path ca = config.upstreams().get(i).caFile();
      if (ca != null && !Files.isReadable(ca)) {
        ConfigKey key = ConfigKey.ROOT.child("upstreams").item(i).child("caFile");
        String problem =
            Files.exists(ca) ? "cannot read '" + ca + "'" : "'" + ca + "' does not exist";
        throw ConfigException.forKey(key.path(), problem).from(sourceOf(key, sources));
      }
    }
  }

  private static ObjectNode readDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is missing from the classpath");
      }
      return asSection(YAML.readTree(in), "the embedded " + DEFAULTS);
    } catch (IOException e) {
      // it is part of the jar: a broken one is a bug, not an operator error
      throw new IllegalStateException("cannot read the embedded " + DEFAULTS, e);
    }
  }

  private static ObjectNode readFile(Path file) {
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return asSection(YAML.readTree(in), file.toString());
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new ConfigException(
          "cannot parse config file " + file + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e, e);
    }
  }

  // an empty file is an empty mapping: every key keeps its default
  private static ObjectNode asSection(@Nullable JsonNode node, String source) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return YAML.createObjectNode();
    }
    if (!node.isObject()) {
      throw new ConfigException(
          source + " must hold a mapping of config keys, not " + node.getNodeType());
    }
    return (ObjectNode) node;
  }

  /** Sections merge key by key; anything else, a list included, replaces what was there. */
  static void merge(ObjectNode base, ObjectNode overrides) {
    for (Map.Entry<String, JsonNode> entry : overrides.properties()) {
      JsonNode current = base.get(entry.getKey());
      if (current instanceof ObjectNode section && entry.getValue() instanceof ObjectNode more) {
        merge(section, more);
      } else {
        base.set(entry.getKey(), entry.getValue().deepCopy());
      }
    }
  }

  // Values and whole lists only: a section's other keys may still be defaults, and a list
  // replaces the default one entirely.
  private static void recordSources(
      JsonNode node, ConfigKey key, String source, Map<ConfigKey, String> sources) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        recordSources(entry.getValue(), key.child(entry.getKey()), source, sources);
      }
      return;
    }
    sources.put(key, source);
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        recordSources(node.get(i), key.item(i), source, sources);
      }
    }
  }

  private static @Nullable String sourceOf(ConfigKey key, Map<ConfigKey, String> sources) {
    for (Optional<ConfigKey> k = Optional.of(key); k.isPresent(); k = k.get().parent()) {
      String source = sources.get(k.get());
      if (source != null) {
        return source;
      }
    }
    return null;
  }

  private static WharfConfig bind(JsonNode tree, Map<ConfigKey, String> sources) {
    try {
      return YAML.readerFor(WharfConfig.class).readValue(tree);
    } catch (JsonMappingException e) {
      throw translate(e, sources);
    } catch (IOException e) {
      throw new ConfigException("cannot bind the config: " + e.getMessage(), e);
    }
  }

  private static ConfigException translate(JsonMappingException e, Map<ConfigKey, String> sources) {
    ConfigKey key = ConfigKey.of(e.getPath());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof ConfigException problem) {
        // thrown by a record constructor, keyed relative to the record
        ConfigKey full = problem.key().map(key::resolve).orElse(key);
        return problem.under(key, sourceOf(full, sources));
      }
    }
    String source = sourceOf(key, sources);
    if (e instanceof UnrecognizedPropertyException) {
      return ConfigException.withMessage(key.path(), "unknown config key '" + key + "'");
    }
    if (e instanceof InvalidFormatException bad) {
      String problem =
          bad.getCause() instanceof IllegalArgumentException parser
              ? parser.getMessage()
              : "cannot parse '" + bad.getValue() + "' as " + describe(bad.getTargetType());
      return ConfigException.forKey(key.path(), problem).from(source);
    }
    if (e.getCause() instanceof IllegalArgumentException parser && parser.getMessage() != null) {
      return ConfigException.forKey(key.path(), parser.getMessage()).from(source);
    }
    return ConfigException.forKey(key.path(), String.valueOf(e.getOriginalMessage())).from(source);
  }

  private static String describe(@Nullable Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "a whole number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    return type == null ? "a value" : "a " + type.getSimpleName();
  }
}

package io.wharf.proxy.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The shape of the config tree, read by reflection from the config records, so that adding a key is
 * adding a record component (and its line in {@code wharf-default.yaml}).
 *
 * <p>A record is a section unless it is one of {@link ConfigModule#SCALAR_TYPES}; a {@code List} is
 * a list; anything else is a scalar. A component is optional only when its type is annotated
 * {@code @Nullable}. Maps are not supported yet: a component of another generic type fails here, at
 * class initialisation, so the defaults test catches it.
 */
final class ConfigSchema {
  /** The schema of {@link WharfConfig}. */
  static final Section ROOT = section(WharfConfig.class);

  /** A node of the schema. */
  sealed interface Node permits Section, ListOf, Scalar {}

  /** A mapping with a fixed set of keys, bound to a record. */
  record Section(Class<?> type, Map<String, Field> fields) implements Node {}

  /** One key of a section. */
  record Field(String name, Node node, boolean nullable) {}

  /** A list whose items all have the same schema. */
  record ListOf(Node item) implements Node {}

  /** A value written as one YAML scalar. */
  record Scalar(Class<?> type) implements Node {}

  private ConfigSchema() {}

  /** The schema of a config record (tests also build small ones). */
  static Section section(Class<?> recordType) {
    if (!recordType.isRecord()) {
      throw new IllegalArgumentException(recordType + " is not a record");
    }
    Map<String, Field> fields = new LinkedHashMap<>();
    for (RecordComponent component : recordType.getRecordComponents()) {
      boolean nullable = component.getAnnotatedType().isAnnotationPresent(Nullable.class);
      String name = component.getName();
      Node node = nodeOf(component.getGenericType(), recordType.getSimpleName() + "." + name);
      fields.put(name, new Field(name, node, nullable));
    }
    return new Section(recordType, Collections.unmodifiableMap(fields));
  }

  private static Node nodeOf(Type type, String where) {
    if (type instanceof ParameterizedType generic) {
      if (generic.getRawType() == List.class) {
        return new ListOf(nodeOf(generic.getActualTypeArguments()[0], where));
      }
      throw new IllegalStateException("unsupported config type " + type + " at " + where);
    }
    Class<?> raw = (Class<?>) type;
    if (raw.isRecord() && !ConfigModule.SCALAR_TYPES.contains(raw)) {
      return section(raw);
    }
    return new Scalar(raw);
  }

  /**
   * Checks the shape of a partial tree read from one file: every key known, sections are mappings,
   * lists are sequences, scalars are scalars, and no required key is null.
   *
   * @param source the file, named in every message
   * @throws ConfigException naming the first key that is wrong
   */
  static void checkFile(JsonNode tree, String source) {
    new Walk(false, key -> source).check(ROOT, tree, ConfigKey.ROOT);
  }

  /**
   * Checks that a merged tree has the full shape: as {@link #checkFile}, and every required key
   * present.
   *
   * @param sourceOf names where a key's value came from, null for the embedded defaults
   */
  static void checkComplete(
      Section schema, JsonNode tree, Function<ConfigKey, @Nullable String> sourceOf) {
    new Walk(true, sourceOf).check(schema, tree, ConfigKey.ROOT);
  }

  /**
   * Unsets every optional key whose value is an empty string, in place: {@code caFile: ""} means no
   * CA file, as an unset key does. Call it on a tree that passed {@link #checkComplete}.
   */
  static void clearEmptyOptionals(Node schema, JsonNode node) {
    if (schema instanceof Section section && node instanceof ObjectNode object) {
      for (Field field : section.fields().values()) {
        JsonNode value = object.get(field.name());
        if (value == null) {
          continue;
        }
        if (field.nullable() && value.isTextual() && value.asText().isEmpty()) {
          object.putNull(field.name());
        } else {
          clearEmptyOptionals(field.node(), value);
        }
      }
    } else if (schema instanceof ListOf list && node.isArray()) {
      for (JsonNode item : node) {
        clearEmptyOptionals(list.item(), item);
      }
    }
  }

  /** A key as environment variables write it: {@code maxHeaderSize} is {@code MAX_HEADER_SIZE}. */
  static String upperSnake(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        out.append('_');
      }
      out.append(Character.toUpperCase(c));
    }
    return out.toString();
  }

  /** One walk over a tree against the schema. */
  private record Walk(boolean complete, Function<ConfigKey, @Nullable String> sourceOf) {
    void check(Node schema, JsonNode node, ConfigKey key) {
      if (schema instanceof Section section) {
        if (!node.isObject()) {
          throw wrongShape(key, "a mapping of keys", node);
        }
        checkSection(section, node, key);
      } else if (schema instanceof ListOf list) {
        if (!node.isArray()) {
          throw wrongShape(key, "a list", node);
        }
        for (int i = 0; i < node.size(); i++) {
          check(list.item(), node.get(i), key.item(i));
        }
      } else if (!node.isValueNode()) {
        throw wrongShape(key, "a single value", node);
      }
    }

    private void checkSection(Section section, JsonNode node, ConfigKey key) {
      for (Map.Entry<String, JsonNode> entry : node.properties()) {
        Field field = section.fields().get(entry.getKey());
        ConfigKey child = key.child(entry.getKey());
        if (field == null) {
          throw unknownKey(section, key, child);
        }
        if (entry.getValue().isNull()) {
          if (!field.nullable()) {
            throw ConfigException.forKey(child.path(), "has no value").from(sourceOf.apply(child));
          }
          continue;
        }
        check(field.node(), entry.getValue(), child);
      }
      if (complete) {
        for (Field field : section.fields().values()) {
          if (!field.nullable() && !node.has(field.name())) {
            ConfigKey child = key.child(field.name());
            throw ConfigException.forKey(child.path(), "is required but not set")
                .from(sourceOf.apply(key));
          }
        }
      }
    }

    private ConfigException unknownKey(Section section, ConfigKey parent, ConfigKey key) {
      String where = sourceOf.apply(key);
      String message = "unknown config key '" + key + "'" + (where == null ? "" : " in " + where);
      String name = key.path().substring(key.path().lastIndexOf('.') + 1);
      String suggestion = closest(name, section.fields().keySet());
      if (suggestion != null) {
        message += " (did you mean '" + parent.child(suggestion) + "'?)";
      }
      return ConfigException.withMessage(key.path(), message);
    }

    private ConfigException wrongShape(ConfigKey key, String expected, JsonNode node) {
      String got =
          node.isObject() ? "a mapping" : node.isArray() ? "a list" : "'" + node.asText() + "'";
      return ConfigException.forKey(key.path(), "must be " + expected + ", got " + got)
          .from(sourceOf.apply(key));
    }
  }

  // a typo suggestion: the known key within two edits, ignoring case
  private static @Nullable String closest(String name, Iterable<String> known) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : known) {
      int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}

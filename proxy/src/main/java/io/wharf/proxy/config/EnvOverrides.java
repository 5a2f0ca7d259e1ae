package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.wharf.proxy.config.ConfigSchema.Field;
import io.wharf.proxy.config.ConfigSchema.ListOf;
import io.wharf.proxy.config.ConfigSchema.Node;
import io.wharf.proxy.config.ConfigSchema.Section;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Applies {@code WHARF_*} environment variables to a config tree: the rest of the name is the key
 * path in upper snake case, list items by index ({@code WHARF_SERVER_HTTP_LISTEN}, {@code
 * WHARF_UPSTREAMS_0_URL}); an index equal to the list's size appends an item.
 *
 * <p>Names are resolved against the schema rather than split on every {@code _}, because one key
 * can be several words ({@code MAX_HEADER_SIZE}). Every reading of a name is tried; a name with
 * more than one reading is refused as ambiguous rather than guessed, and a name with none is an
 * error, so a typo never goes unnoticed. The launcher's own variables are the exception.
 */
final class EnvOverrides {
  static final String PREFIX = "WHARF_";

  /** Variables {@code deploy/bin/wharf} reads itself; they are not config keys. */
  static final Set<String> LAUNCHER_VARIABLES =
      Set.of(
          "WHARF_JAR",
          "WHARF_JAVA_OPTS",
          "WHARF_HOME",
          "WHARF_DATA",
          "WHARF_HEAP",
          "WHARF_DIRECT_MEMORY");

  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,8}");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** One step of a key path: a key of a section or an index into a list. */
  sealed interface Step permits Key, Index {}

  /** A key of a section. */
  record Key(String name) implements Step {}

  /** An index into a list. */
  record Index(int index) implements Step {}

  /** One reading of a variable name: the steps and the schema node they end at. */
  private record Reading(List<Step> steps, Node node) {}

  private final Section schema;

  EnvOverrides(Section schema) {
    this.schema = requireNonNull(schema, "schema");
  }

  /**
   * Sets the value of every config variable in {@code env} in {@code tree}, and records in {@code
   * sources} which variable set each key.
   *
   * @throws ConfigException naming the variable that matches no key, more than one key, or a list
   *     index past the end
   */
  void apply(ObjectNode tree, Map<String, String> env, Map<ConfigKey, String> sources) {
    // by name with numbers compared as numbers, so that index 0 is appended before index 1
    List<String> names =
        env.keySet().stream()
            .filter(name -> name.startsWith(PREFIX) && !LAUNCHER_VARIABLES.contains(name))
            .sorted(EnvOverrides::compareNames)
            .collect(Collectors.toList());
    for (String name : names) {
      set(tree, name, resolve(name), env.get(name), sources);
    }
  }

  /**
   * The key path a variable names.
   *
   * @throws ConfigException when it names no key, a whole section or list, or more than one key
   */
  List<Step> resolve(String variable) {
    String[] words = variable.substring(PREFIX.length()).split("_", -1);
    List<Reading> readings = new ArrayList<>();
    search(schema, words, 0, new ArrayDeque<>(), readings);
    List<Reading> scalars =
        readings.stream()
            .filter(r -> r.node() instanceof ConfigSchema.Scalar)
            .collect(Collectors.toList());
    if (scalars.size() == 1) {
      return scalars.get(0).steps();
    }
    if (scalars.size() > 1) {
      String keys =
          scalars.stream().map(r -> keyOf(r.steps()).path()).collect(Collectors.joining(", "));
      throw new ConfigException(
          String.format(
              "environment variable %s matches more than one config key: %s", variable, keys));
    }
    if (!readings.isEmpty()) {
      throw new ConfigException(
          String.format(
              "environment variable %s names '%s', which holds other keys; set each of them with"
                  + " its own variable, like WHARF_SERVER_HTTP_LISTEN",
              variable, keyOf(readings.get(0).steps())));
    }
    throw new ConfigException(
        String.format(
            "environment variable %s matches no config key (keys are written in upper snake case,"
                + " like WHARF_SERVER_MAX_HEADER_SIZE or WHARF_UPSTREAMS_0_URL; the launcher's own"
                + " variables are %s)",
            variable, String.join(", ", LAUNCHER_VARIABLES.stream().sorted().toList())));
  }

  private static void search(
      Node node, String[] words, int at, Deque<Step> steps, List<Reading> readings) {
    if (at == words.length) {
      readings.add(new Reading(List.copyOf(steps), node));
      return;
    }
    if (node instanceof Section section) {
      for (Field field : section.fields().values()) {
        String[] keyWords = ConfigSchema.upperSnake(field.name()).split("_");
        if (startsWith(words, at, keyWords)) {
          steps.addLast(new Key(field.name()));
          search(field.node(), words, at + keyWords.length, steps, readings);
          steps.removeLast();
        }
      }
    } else if (node instanceof ListOf list && INDEX.matcher(words[at]).matches()) {
      steps.addLast(new Index(Integer.parseInt(words[at])));
      search(list.item(), words, at + 1, steps, readings);
      steps.removeLast();
    }
  }

  private void set(
      ObjectNode tree,
      String variable,
      List<Step> steps,
      String value,
      Map<ConfigKey, String> sources) {
    JsonNode current = tree;
    Node node = schema;
    ConfigKey key = ConfigKey.ROOT;
    for (int i = 0; i < steps.size(); i++) {
      boolean last = i == steps.size() - 1;
      Step step = steps.get(i);
      if (step instanceof Key k) {
        ObjectNode section = (ObjectNode) current;
        node = ((Section) node).fields().get(k.name()).node();
        key = key.child(k.name());
        if (last) {
          section.set(k.name(), TextNode.valueOf(value));
        } else if (!fits(section.get(k.name()), node)) {
          section.set(k.name(), emptyContainer(node));
        }
        current = section.get(k.name());
      } else {
        int index = ((Index) step).index();
        ArrayNode list = (ArrayNode) current;
        node = ((ListOf) node).item();
        key = key.item(index);
        if (index > list.size()) {
          throw new ConfigException(
              String.format(
                  "environment variable %s: index %d is past the end of '%s', which has %d"
                      + " item%s (index %d appends one)",
                  variable,
                  index,
                  key.parent().orElseThrow(),
                  list.size(),
                  list.size() == 1 ? "" : "s",
                  list.size()));
        }
        if (index == list.size()) {
          list.add(last ? TextNode.valueOf(value) : emptyContainer(node));
          sources.putIfAbsent(key, variable);
        } else if (last) {
          list.set(index, TextNode.valueOf(value));
        } else if (!fits(list.get(index), node)) {
          list.set(index, emptyContainer(node));
        }
        current = list.get(index);
      }
    }
    sources.put(key, variable);
  }

  private static boolean fits(@Nullable JsonNode existing, Node node) {
    return existing != null && (node instanceof Section ? existing.isObject() : existing.isArray());
  }

  private static JsonNode emptyContainer(Node node) {
    return node instanceof Section ? NODES.objectNode() : NODES.arrayNode();
  }

  private static ConfigKey keyOf(List<Step> steps) {
    ConfigKey key = ConfigKey.ROOT;
    for (Step step : steps) {
      key = step instanceof Key k ? key.child(k.name()) : key.item(((Index) step).index());
    }
    return key;
  }

  private static boolean startsWith(String[] words, int at, String[] prefix) {
    if (words.length - at < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (!words[at + i].equals(prefix[i])) {
        return false;
      }
    }
    return true;
  }

  private static int compareNames(String a, String b) {
    String[] x = a.split("_", -1);
    String[] y = b.split("_", -1);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = compareWords(x[i], y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  private static int compareWords(String a, String b) {
    boolean numbers =
        !a.isEmpty()
            && !b.isEmpty()
            && a.chars().allMatch(Character::isDigit)
            && b.chars().allMatch(Character::isDigit);
    if (numbers && a.length() != b.length()) {
      return Integer.compare(a.length(), b.length());
    }
    return a.compareTo(b);
  }
}

package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;
import java.util.Optional;

/** A dotted path into the config tree, {@code server.http.listen} or {@code upstreams[0].url}. */
record ConfigKey(String path) {
  static final ConfigKey ROOT = new ConfigKey("");

  ConfigKey {
    requireNonNull(path, "path");
  }

  /** The key of a field of the section at this path. */
  ConfigKey child(String name) {
    return new ConfigKey(path.isEmpty() ? name : path + "." + name);
  }

  /** The key of a list item at this path. */
  ConfigKey item(int index) {
    return new ConfigKey(path + "[" + index + "]");
  }

  /** A key relative to this one: {@code name} or {@code [1].name}. */
  ConfigKey resolve(String relative) {
    if (path.isEmpty() || relative.isEmpty()) {
      return new ConfigKey(path + relative);
    }
    return new ConfigKey(relative.startsWith("[") ? path + relative : path + "." + relative);
  }

  /** The enclosing section or list, empty for the root. */
  Optional<ConfigKey> parent() {
    if (path.isEmpty()) {
      return Optional.empty();
    }
    int cut = path.endsWith("]") ? path.lastIndexOf('[') : path.lastIndexOf('.');
    return Optional.of(cut <= 0 ? ROOT : new ConfigKey(path.substring(0, cut)));
  }

  /** The key Jackson was binding when it failed, from its reference chain. */
  static ConfigKey of(List<JsonMappingException.Reference> references) {
    ConfigKey key = ROOT;
    for (JsonMappingException.Reference ref : references) {
      String field = ref.getFieldName();
      if (field != null) {
        key = key.child(field);
      } else if (ref.getIndex() >= 0) {
        key = key.item(ref.getIndex());
      }
    }
    return key;
  }

  @Override
  public String toString() {
    return path;
  }
}

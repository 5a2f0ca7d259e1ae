package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A configuration problem an operator must fix; its message names the key, the bad value and why,
 * and is meant to be printed as it is, without a stack trace.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String key;
  private final @Nullable String problem;

  /** A problem not tied to one key, such as an unreadable file. */
  public ConfigException(String message) {
    this(null, null, message, null);
  }

  ConfigException(String message, Throwable cause) {
    this(null, null, message, cause);
  }

  private ConfigException(
      @Nullable String key, @Nullable String problem, String message, @Nullable Throwable cause) {
    super(requireNonNull(message, "message"), cause);
    this.key = key;
    this.problem = problem;
  }

  /**
   * A problem with the value at {@code key}, a dotted path such as {@code server.http.listen} or
   * {@code upstreams[0].url}; a record constructor passes a key relative to itself and the loader
   * prefixes the path of the record.
   */
  public static ConfigException forKey(String key, String problem) {
    requireNonNull(key, "key");
    requireNonNull(problem, "problem");
    return new ConfigException(key, problem, "config key '" + key + "': " + problem, null);
  }

  /** A problem with a key, with a message written in full by the caller. */
  static ConfigException withMessage(String key, String message) {
    return new ConfigException(key, null, message, null);
  }

  /** The dotted key path this problem is about, when it is about one key. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /**
   * This problem re-keyed under {@code parent}, the path of the record that threw it, naming where
   * the value came from ({@code source} is a file or an environment variable, null for the embedded
   * defaults).
   */
  ConfigException under(ConfigKey parent, @Nullable String source) {
    if (key == null || problem == null) {
      return this;
    }
    return forKey(parent.resolve(key).path(), problem).from(source);
  }

  /** This problem with {@code "; from SOURCE"} appended, when there is a source. */
  ConfigException from(@Nullable String source) {
    if (source == null || key == null || problem == null) {
      return this;
    }
    return new ConfigException(key, problem, getMessage() + "; from " + source, getCause());
  }
}

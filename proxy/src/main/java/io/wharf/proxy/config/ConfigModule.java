package io.wharf.proxy.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.wharf.oci.manifest.Platform;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Jackson deserializers for the config value types, each reading a YAML scalar with the type's own
 * parser so that a bad value fails with that parser's message.
 */
final class ConfigModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  /** Records and classes that are one scalar in YAML, not a section. */
  static final Set<Class<?>> SCALAR_TYPES =
      Set.of(
          DataSize.class, Duration.class, HostAndPort.class, Path.class, Platform.class, URI.class);

  // os/architecture[/variant] in the OCI image spec's (Go's) lower-case words
  private static final Pattern PLATFORM =
      Pattern.compile("([a-z0-9][a-z0-9._-]*)/([a-z0-9][a-z0-9._-]*)(?:/([a-z0-9][a-z0-9._-]*))?");

  ConfigModule() {
    super("wharf-config");
    add(DataSize.class, DataSize::parse);
    add(Duration.class, Durations::parse);
    add(HostAndPort.class, HostAndPort::parse);
    add(Path.class, ConfigModule::parsePath);
    add(Platform.class, ConfigModule::parsePlatform);
    add(URI.class, ConfigModule::parseUri);
  }

  private <T> void add(Class<T> type, Function<String, T> parse) {
    addDeserializer(type, new TextDeserializer<>(type, parse));
  }

  private static Path parsePath(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the path is empty");
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("cannot use '" + text + "' as a path: " + e.getReason());
    }
  }

  static Platform parsePlatform(String text) {
    var m = PLATFORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "cannot parse '"
              + text
              + "' as a platform (os/architecture[/variant] in lower case, like linux/amd64 or"
              + " linux/arm/v7)");
    }
    return new Platform(m.group(1), m.group(2), m.group(3));
  }

  private static URI parseUri(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot parse '" + text + "' as a URL: " + e.getReason());
    }
  }

  /** Reads a scalar (a YAML number arrives as its text) and parses it. */
  private static final class TextDeserializer<T> extends StdScalarDeserializer<T> {
    private static final long serialVersionUID = 1L;

    private final transient Function<String, T> parse;

    TextDeserializer(Class<T> type, Function<String, T> parse) {
      super(type);
      this.parse = parse;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == null || !p.currentToken().isScalarValue()) {
        return (T) ctxt.handleUnexpectedToken(handledType(), p);
      }
      String text = p.getValueAsString();
      try {
        return parse.apply(text);
      } catch (IllegalArgumentException e) {
        InvalidFormatException failure =
            new InvalidFormatException(p, e.getMessage(), text, handledType());
        failure.initCause(e);
        throw failure;
      }
    }
  }
}

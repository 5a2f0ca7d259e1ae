package io.wharf.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which TLS implementation serves HTTPS ({@code server.https.provider}), lower case in YAML. */
public enum TlsProvider {
  /** OpenSSL (netty-tcnative's BoringSSL) when it loads on this host, the JDK's otherwise. */
  AUTO,
  /** OpenSSL only: start-up fails when netty-tcnative does not load. */
  OPENSSL,
  /** The JDK's own TLS. */
  JDK;

  /**
   * Parses the YAML spelling: {@code auto}, {@code openssl} or {@code jdk}.
   *
   * @throws IllegalArgumentException naming the text and the accepted values
   */
  @JsonCreator
  public static TlsProvider parse(String text) {
    for (TlsProvider provider : values()) {
      if (provider.toString().equals(text)) {
        return provider;
      }
    }
    String accepted =
        Arrays.stream(values()).map(TlsProvider::toString).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(
        "cannot parse '" + text + "' as a TLS provider (one of: " + accepted + ")");
  }

  /** The YAML spelling. */
  @JsonValue
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.proxy.config.EnvOverrides.Index;
import io.wharf.proxy.config.EnvOverrides.Key;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class EnvOverridesTest {
  // a.bC and aB.c are both WHARF_A_B_C
  record Left(String bC) {}

  record Right(String c) {}

  record Ambiguous(Left a, Right aB, String plain) {}

  private final EnvOverrides wharf = new EnvOverrides(ConfigSchema.ROOT);

  @Test
  void resolvesMultiWordKeysAndIndexes() {
    assertThat(wharf.resolve("WHARF_SERVER_MAX_HEADER_SIZE"))
        .containsExactly(new Key("server"), new Key("maxHeaderSize"));
    assertThat(wharf.resolve("WHARF_UPSTREAMS_12_TAG_TTL"))
        .containsExactly(new Key("upstreams"), new Index(12), new Key("tagTtl"));
    assertThat(wharf.resolve("WHARF_DEFAULT_UPSTREAM")).containsExactly(new Key("defaultUpstream"));
  }

  @Test
  void refusesIndexesThatAreNotPlainNumbers() {
    assertThatThrownBy(() -> wharf.resolve("WHARF_PROJECTS_01_NAME"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("matches no config key");
    assertThatThrownBy(() -> wharf.resolve("WHARF_PROJECTS_X_NAME"))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void refusesANameWithTwoReadingsRatherThanGuess() {
    EnvOverrides overrides = new EnvOverrides(ConfigSchema.section(Ambiguous.class));

    assertThatThrownBy(() -> overrides.resolve("WHARF_A_B_C"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment variable WHARF_A_B_C matches more than one config key: a.bC, aB.c");
    assertThat(overrides.resolve("WHARF_PLAIN")).containsExactly(new Key("plain"));
  }

  @Test
  void recordsWhichVariableSetEachKey() {
    ObjectNode tree = JsonNodeFactory.instance.objectNode();
    tree.putObject("server").putObject("http").put("listen", "127.0.0.1:1");
    tree.putArray("upstreams");
    Map<ConfigKey, String> sources = new HashMap<>();

    wharf.apply(
        tree,
        Map.of(
            "WHARF_SERVER_HTTP_LISTEN", "127.0.0.1:2",
            "WHARF_SERVER_IO_THREADS", "3",
            "WHARF_UPSTREAMS_0_NAME", "hub"),
        sources);

    assertThat(tree.toString())
        .isEqualTo(
            "{\"server\":{\"http\":{\"listen\":\"127.0.0.1:2\"},\"ioThreads\":\"3\"},"
                + "\"upstreams\":[{\"name\":\"hub\"}]}");
    assertThat(sources)
        .containsEntry(new ConfigKey("server.http.listen"), "WHARF_SERVER_HTTP_LISTEN")
        .containsEntry(new ConfigKey("upstreams[0]"), "WHARF_UPSTREAMS_0_NAME")
        .containsEntry(new ConfigKey("upstreams[0].name"), "WHARF_UPSTREAMS_0_NAME");
  }

  @Test
  void namesTheLauncherVariablesWhenANameMatchesNothing() {
    assertThatThrownBy(() -> wharf.resolve("WHARF_JAVA_HOME"))
        .hasMessageContaining("WHARF_JAVA_HOME matches no config key")
        .hasMessageContaining("WHARF_JAVA_OPTS");
    assertThat(List.copyOf(EnvOverrides.LAUNCHER_VARIABLES))
        .contains("WHARF_JAVA_OPTS", "WHARF_HOME", "WHARF_HEAP", "WHARF_DIRECT_MEMORY");
  }
}

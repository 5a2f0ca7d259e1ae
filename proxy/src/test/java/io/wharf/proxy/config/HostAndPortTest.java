package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class HostAndPortTest {
  private static final List<String> FRAGMENTS =
      List.of(":", "[", "]", "::", ".", "localhost", "127.0.0.1", "::1", "-", "a", "255", "5050");

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:5050, 127.0.0.1, 5050",
    "0.0.0.0:30003, 0.0.0.0, 30003",
    "[::1]:5050, ::1, 5050",
    "[::]:80, ::, 80",
    "[fe80::1:2]:443, fe80::1:2, 443",
    "[::ffff:10.0.0.1]:8080, ::ffff:10.0.0.1, 8080",
    "localhost:0, localhost, 0",
    "registry-1.docker.io:65535, registry-1.docker.io, 65535",
    "node-7:1, node-7, 1",
  })
  void parsesAndRoundTrips(String text, String host, int port) {
    HostAndPort parsed = HostAndPort.parse(text);
    assertThat(parsed).isEqualTo(new HostAndPort(host, port));
    assertThat(parsed).hasToString(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ":",
        "127.0.0.1",
        "127.0.0.1:",
        ":5050",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:+1",
        "127.0.0.1:05050",
        "127.0.0.1:5050 ",
        " 127.0.0.1:5050",
        "::1:5050",
        "[::1]",
        "[::1]5050",
        "[::1]:",
        "[127.0.0.1]:80",
        "[::g]:80",
        "[fe80::1%eth0]:80",
        "[1:2]:80",
        "256.0.0.1:80",
        "1.2.3:80",
        "1.2.3.4.5:80",
        "host_name:80",
        "-host:80",
        "host-:80",
        "a..b:80",
        ".a:80",
        "a.:80",
        "[]:80",
        "[[::1]]:80",
        "local host:80",
        "localhost:99999999999"
      })
  void refusesWhatIsNotHostColonPort(String text) {
    assertThatThrownBy(() -> HostAndPort.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot parse '" + text + "' as HOST:PORT: ")
        .hasMessageEndingWith("(" + HostAndPort.EXAMPLES + ")");
  }

  @Test
  void tellsWhatIsWrong() {
    assertThatThrownBy(() -> HostAndPort.parse("::1:5050")).hasMessageContaining("in brackets");
    assertThatThrownBy(() -> HostAndPort.parse("localhost"))
        .hasMessageContaining("port is required");
    assertThatThrownBy(() -> HostAndPort.parse("localhost:70000")).hasMessageContaining("0..65535");
  }

  @Test
  void constructorChecksHostAndPortToo() {
    assertThat(new HostAndPort("::1", 80)).hasToString("[::1]:80");
    assertThatThrownBy(() -> new HostAndPort("localhost", 65536))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HostAndPort("", 80)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HostAndPort("a b", 80))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givesASocketAddressToBind() {
    InetSocketAddress address = HostAndPort.parse("127.0.0.1:0").toSocketAddress();
    assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    assertThat(address.getPort()).isZero();
  }

  @RepeatedTest(20)
  void garbageFailsOnlyWithIllegalArgumentExceptionAndWhatParsesRoundTrips() {
    long seed = RandomInput.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      String text = RandomInput.text(random, FRAGMENTS, 6);
      HostAndPort parsed;
      try {
        parsed = HostAndPort.parse(text);
      } catch (IllegalArgumentException expected) {
        assertThat(expected).as("seed %d, input '%s'", seed, text).hasMessageContaining(text);
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", input '" + text + "'", e);
      }
      assertThat(HostAndPort.parse(parsed.toString()))
          .as("seed %d, input '%s'", seed, text)
          .isEqualTo(parsed);
    }
  }

  @RepeatedTest(20)
  void everyValidAddressRoundTripsThroughItsText() {
    long seed = RandomInput.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      HostAndPort address = new HostAndPort(randomHost(random), random.nextInt(65_536));
      try {
        assertThat(HostAndPort.parse(address.toString()))
            .as("seed %d, address %s", seed, address)
            .isEqualTo(address);
      } catch (IllegalArgumentException e) {
        fail("seed " + seed + ", address " + address, e);
      }
    }
  }

  private static String randomHost(Random random) {
    switch (random.nextInt(3)) {
      case 0:
        return random.nextInt(256)
            + "."
            + random.nextInt(256)
            + "."
            + random.nextInt(256)
            + "."
            + random.nextInt(256);
      case 1:
        StringJoiner groups = new StringJoiner(":");
        for (int g = 0; g < 8; g++) {
          groups.add(Integer.toHexString(random.nextInt(65_536)));
        }
        return groups.toString();
      default:
        StringJoiner labels = new StringJoiner(".");
        for (int l = 0, n = 1 + random.nextInt(4); l < n; l++) {
          labels.add("h" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "-x");
        }
        return labels.toString();
    }
  }
}

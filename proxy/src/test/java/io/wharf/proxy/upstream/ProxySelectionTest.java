package io.wharf.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.proxy.upstream.ProxySelection.ProxyServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ProxySelectionTest {
  /** env as {@code K=V;K=V}, the upstream URL, and the proxy expected ({@code host:port}) or {@code direct}. */
  @ParameterizedTest(name = "{0} | {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
    "''                                                    | https://registry-1.docker.io  | direct",
    "HTTPS_PROXY=http://proxy:3128                         | https://registry-1.docker.io  | proxy:3128",
    "HTTPS_PROXY=http://proxy:3128                         | http://upstream.test:5000     | direct",
    "HTTP_PROXY=http://proxy:3128                          | http://upstream.test:5000     | proxy:3128",
    "HTTP_PROXY=http://proxy:3128                          | https://ghcr.io               | direct",
    "https_proxy=http://lower:1                            | https://ghcr.io               | lower:1",
    "HTTPS_PROXY=http://upper:1;https_proxy=http://lower:2 | https://ghcr.io               | upper:1",
    "HTTPS_PROXY=;https_proxy=http://lower:2               | https://ghcr.io               | lower:2",
    "HTTPS_PROXY=proxy.corp:8080                           | https://ghcr.io               | proxy.corp:8080",
    "HTTPS_PROXY=http://proxy.corp                         | https://ghcr.io               | proxy.corp:80",
    "HTTPS_PROXY=http://p:1;NO_PROXY=*                     | https://ghcr.io               | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=docker.io             | https://registry-1.docker.io  | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=docker.io             | https://docker.io             | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=ker.io                | https://docker.io             | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=.docker.io            | https://docker.io             | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=.docker.io            | https://registry-1.docker.io  | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=*.docker.io           | https://registry-1.docker.io  | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=Docker.IO             | https://registry-1.docker.io  | direct",
    "HTTPS_PROXY=http://p:1;no_proxy= ghcr.io , ,quay.io   | https://quay.io               | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=registry.local:5000   | https://registry.local:5000   | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=registry.local:5000   | https://registry.local        | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=10.0.0.0/8            | https://10.1.2.3              | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=10.0.0.0/8            | https://11.1.2.3              | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=10.0.0.0/8            | https://10.example.com        | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=192.168.1.10          | https://192.168.1.10:5000     | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=192.168.1.10:5000     | https://192.168.1.10:5001     | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=::1                   | https://[::1]:5000            | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=[::1]:5000            | https://[::1]:5000            | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=fd00::/8              | https://[fd12::1]             | direct",
    "HTTPS_PROXY=http://p:1;NO_PROXY=fd00::/8              | https://10.0.0.1              | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=10.0.0.0/33           | https://10.0.0.1              | p:1",
    "HTTPS_PROXY=http://p:1                                | https://127.0.0.1:5000        | p:1",
    "HTTPS_PROXY=http://p:1;NO_PROXY=localhost,127.0.0.1   | https://127.0.0.1:5000        | direct",
  })
  void choosesTheProxyForAnUpstream(String env, String url, String expected) {
    ProxySelection s = ProxySelection.fromEnvironment(env(env));

    String actual = s.find(URI.create(url)).map(p -> p.host() + ":" + p.port()).orElse("direct");

    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void readsCredentialsFromTheProxyUrl() {
    ProxyServer p = ProxySelection.fromEnvironment(Map.of("HTTPS_PROXY", "http://bob:p%40ss@proxy:8080"))
        .find(URI.create("https://ghcr.io")).orElseThrow();

    assertThat(p).isEqualTo(new ProxyServer("proxy", 8080, "bob", "p@ss"));
    assertThat(p.toString()).doesNotContain("p@ss");
  }

  @ParameterizedTest
  @CsvSource({"socks5://proxy:1080", "https://proxy:443", "http://"})
  void refusesProxyUrlsItCannotUse(String value) {
    assertThatThrownBy(() -> ProxySelection.fromEnvironment(Map.of("HTTPS_PROXY", value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("HTTPS_PROXY: ");
  }

  @Test
  void noneNeverProxies() {
    assertThat(ProxySelection.none().find(URI.create("https://ghcr.io"))).isEmpty();
  }

  private static Map<String, String> env(String spec) {
    Map<String, String> m = new HashMap<>();
    for (String kv : spec.split(";")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
      }
    }
    return m;
  }
}

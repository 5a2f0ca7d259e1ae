package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.manifest.Platform;
import io.wharf.proxy.config.DataSize.Unit;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ConfigLoaderTest {
  private static final Path WORKING_DIRECTORY = Path.of("/srv/wharf");

  private static final AuthConfig AUTH_DEFAULTS =
      new AuthConfig(
          new AdminAccountConfig(null),
          Duration.ofMinutes(5),
          5,
          Duration.ofMinutes(5),
          Duration.ofSeconds(30));

  private static final WharfConfig DEFAULTS =
      new WharfConfig(
          new ServerConfig(
              new HttpListenerConfig(new HostAndPort("127.0.0.1", 5050)),
              new HttpsListenerConfig(
                  new HostAndPort("0.0.0.0", 30003), null, null, List.of(), TlsProvider.AUTO),
              0,
              DataSize.of(16, Unit.KIB),
              Duration.ofSeconds(60),
              DataSize.of(4, Unit.MIB),
              100,
              Duration.ofSeconds(10),
              1024),
          StorageConfig.of(Path.of("/srv/wharf/data"), Duration.ofHours(24)),
          List.of(new ProjectConfig("spectro-images", ProjectType.LOCAL)),
          List.of(
              anonymous("dockerhub", "docker.io", "https://registry-1.docker.io"),
              anonymous("ghcr", "ghcr.io", "https://ghcr.io"),
              anonymous("quay", "quay.io", "https://quay.io"),
              anonymous("k8s", "registry.k8s.io", "https://registry.k8s.io"),
              anonymous("gcr", "gcr.io", "https://gcr.io"),
              anonymous("ecr-public", "public.ecr.aws", "https://public.ecr.aws")),
          "docker.io",
          new PullThroughConfig(
              Duration.ofSeconds(3),
              Duration.ofSeconds(30),
              Duration.ofSeconds(5),
              Duration.ofSeconds(30),
              2,
              List.of(),
              new BreakerConfig(5, Duration.ofSeconds(10), Duration.ofMinutes(5))),
          AUTH_DEFAULTS);

  @TempDir Path dir;

  private static UpstreamConfig anonymous(String name, String host, String url) {
    return new UpstreamConfig(
        name, host, URI.create(url), Duration.ofMinutes(5), null, null, null);
  }

  @Test
  void defaultsNeedNoFileAndNoEnvironment() {
    assertThat(ConfigLoader.load(Optional.empty(), Map.of(), WORKING_DIRECTORY))
        .isEqualTo(DEFAULTS);
  }

  @Test
  void relativeStoragePathResolvesAgainstTheWorkingDirectory() {
    assertThat(ConfigLoader.load(Optional.empty(), Map.of()).storage().path())
        .isEqualTo(Path.of("").toAbsolutePath().resolve("data"));
    assertThat(load("storage:\n  path: ../cache/./wharf\n").storage().path())
        .isEqualTo(Path.of("/srv/cache/wharf"));
  }

  @Test
  void fileSettingEveryKeyMapsToEveryComponent() throws IOException {
    Path ca = Files.writeString(dir.resolve("corp-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    String yaml =
        """
        server:
          http:
            listen: "[::1]:6000"
          https:
            listen: 127.0.0.1:8443
            certFile: /etc/wharf/tls/server.crt
            keyFile: /etc/wharf/tls/server.key
            sans: [10.0.0.7, node-7.edge]
            provider: jdk
          ioThreads: 3
          maxHeaderSize: 32KiB
          idleTimeout: 2m
          maxManifestSize: 8MB
          maxHeaderCount: 50
          headerTimeout: 20s
          maxConnections: 300
        storage:
          path: /var/lib/wharf
          uploadExpiry: 1h30m
          quota: 300GiB
          highWater: 0.95
          lowWater: 0.7
          gcGrace: 10m
          preload: /media/bundles
          importProject: edge-images
          statsFlushInterval: 1m
        projects:
          - name: edge-images
            type: local
            anonymousPull: false
          - name: team.b
            type: local
        upstreams:
          - name: dockerhub
            host: docker.io
            url: https://registry-1.docker.io
            tagTtl: 5m
            username: robot
            password: s3cret
            caFile: %s
            anonymousPull: false
          - name: harness
            host: upstream.test:5000
            url: http://127.0.0.1:5000
            tagTtl: 0
        defaultUpstream: upstream.test:5000
        pullThrough:
          tagCheckTimeout: 1s500ms
          negativeCacheTtl: 0
          connectTimeout: 2s
          readTimeout: 1m
          retries: 0
          platforms: [linux/arm64, linux/arm/v7]
          breaker:
            failureThreshold: 3
            openFor: 1s
            maxOpenFor: 1m
        auth:
          admin:
            password: from-config
          tokenTtl: 15m
          maxFailedLogins: 10
          loginLockout: 1m
          credentialCacheTtl: 5s
        """
            .formatted(ca);
    WharfConfig expected =
        new WharfConfig(
            new ServerConfig(
                new HttpListenerConfig(new HostAndPort("::1", 6000)),
                new HttpsListenerConfig(
                    new HostAndPort("127.0.0.1", 8443),
                    Path.of("/etc/wharf/tls/server.crt"),
                    Path.of("/etc/wharf/tls/server.key"),
                    List.of("10.0.0.7", "node-7.edge"),
                    TlsProvider.JDK),
                3,
                DataSize.of(32, Unit.KIB),
                Duration.ofMinutes(2),
                DataSize.of(8, Unit.MB),
                50,
                Duration.ofSeconds(20),
                300),
            new StorageConfig(
                Path.of("/var/lib/wharf"),
                Duration.ofMinutes(90),
                DataSize.of(300, Unit.GIB),
                0.95,
                0.7,
                Duration.ofMinutes(10),
                Path.of("/media/bundles"),
                "edge-images",
                Duration.ofMinutes(1)),
            List.of(
                new ProjectConfig("edge-images", ProjectType.LOCAL, false),
                new ProjectConfig("team.b", ProjectType.LOCAL)),
            List.of(
                new UpstreamConfig(
                    "dockerhub",
                    "docker.io",
                    URI.create("https://registry-1.docker.io"),
                    Duration.ofMinutes(5),
                    "robot",
                    "s3cret",
                    ca,
                    false),
                new UpstreamConfig(
                    "harness",
                    "upstream.test:5000",
                    URI.create("http://127.0.0.1:5000"),
                    Duration.ZERO,
                    null,
                    null,
                    null)),
            "upstream.test:5000",
            new PullThroughConfig(
                Duration.ofMillis(1500),
                Duration.ZERO,
                Duration.ofSeconds(2),
                Duration.ofMinutes(1),
                0,
                List.of(new Platform("linux", "arm64", null), new Platform("linux", "arm", "v7")),
                new BreakerConfig(3, Duration.ofSeconds(1), Duration.ofMinutes(1))),
            new AuthConfig(
                new AdminAccountConfig("from-config"),
                Duration.ofMinutes(15),
                10,
                Duration.ofMinutes(1),
                Duration.ofSeconds(5)));

    WharfConfig loaded = load(yaml);

    assertThat(loaded).isEqualTo(expected);
    // as airlift's assertFullMapping: a key this test leaves at its default is a key it misses
    assertEveryValueDiffers(DEFAULTS, loaded, "");
  }

  @Test
  void fileKeysMergeOverTheDefaultsOneByOne() {
    WharfConfig config = load("server:\n  idleTimeout: 5m\n");

    assertThat(config.server().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.server().http()).isEqualTo(DEFAULTS.server().http());
    assertThat(config.server().maxHeaderSize()).isEqualTo(DEFAULTS.server().maxHeaderSize());
    assertThat(config.storage()).isEqualTo(DEFAULTS.storage());
    assertThat(config.projects()).isEqualTo(DEFAULTS.projects());
  }

  @Test
  void aListInTheFileReplacesTheDefaultList() {
    WharfConfig config = load("projects:\n  - name: other\n    type: local\n");

    assertThat(config.projects()).containsExactly(new ProjectConfig("other", ProjectType.LOCAL));
    assertThat(load("projects: []\n").projects()).isEmpty();
  }

  @Test
  void anEmptyFileKeepsEveryDefault() {
    assertThat(load("")).isEqualTo(DEFAULTS);
    assertThat(load("# nothing but a comment\n")).isEqualTo(DEFAULTS);
  }

  @Test
  void environmentOverridesScalars() {
    WharfConfig config =
        load(
            Optional.empty(),
            Map.of(
                "WHARF_SERVER_HTTP_LISTEN", "0.0.0.0:6000",
                "WHARF_SERVER_MAX_HEADER_SIZE", "32KiB",
                "WHARF_SERVER_IO_THREADS", "4",
                "WHARF_STORAGE_PATH", "/var/lib/wharf",
                "WHARF_STORAGE_UPLOAD_EXPIRY", "1h"));

    assertThat(config.server().http().listen()).isEqualTo(new HostAndPort("0.0.0.0", 6000));
    assertThat(config.server().maxHeaderSize()).isEqualTo(DataSize.of(32, Unit.KIB));
    assertThat(config.server().ioThreads()).isEqualTo(4);
    assertThat(config.storage())
        .isEqualTo(StorageConfig.of(Path.of("/var/lib/wharf"), Duration.ofHours(1)));
  }

  @Test
  void environmentWinsOverTheFile() throws IOException {
    Path file = write("server:\n  idleTimeout: 5m\n  ioThreads: 2\n");

    WharfConfig config = load(Optional.of(file), Map.of("WHARF_SERVER_IDLE_TIMEOUT", "10s"));

    assertThat(config.server().idleTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.server().ioThreads()).isEqualTo(2);
  }

  @Test
  void environmentOverridesAListItemByIndex() {
    WharfConfig config = load(Optional.empty(), Map.of("WHARF_PROJECTS_0_NAME", "edge"));

    assertThat(config.projects()).containsExactly(new ProjectConfig("edge", ProjectType.LOCAL));
  }

  @Test
  void environmentIndexEqualToTheListSizeAppendsAnItem() {
    Map<String, String> env =
        Map.of(
            "WHARF_UPSTREAMS_6_NAME", "harness",
            "WHARF_UPSTREAMS_6_HOST", "upstream.test:5000",
            "WHARF_UPSTREAMS_6_URL", "http://127.0.0.1:5000",
            "WHARF_UPSTREAMS_6_TAG_TTL", "30s",
            "WHARF_DEFAULT_UPSTREAM", "upstream.test:5000",
            "WHARF_PROJECTS_1_NAME", "team",
            "WHARF_PROJECTS_1_TYPE", "local");

    WharfConfig config = load(Optional.empty(), env);

    assertThat(config.upstreams()).hasSize(7).startsWith(DEFAULTS.upstreams().get(0));
    assertThat(config.upstreams().get(6))
        .isEqualTo(
            new UpstreamConfig(
                "harness",
                "upstream.test:5000",
                URI.create("http://127.0.0.1:5000"),
                Duration.ofSeconds(30),
                null,
                null,
                null));
    assertThat(config.defaultUpstreamConfig()).contains(config.upstreams().get(6));
    assertThat(config.projects())
        .extracting(ProjectConfig::name)
        .containsExactly("spectro-images", "team");
  }

  @Test
  void environmentAppendsItemsInIndexOrderPastNine() {
    Map<String, String> env = new HashMap<>();
    for (int i = 1; i <= 11; i++) {
      env.put("WHARF_PROJECTS_" + i + "_NAME", "p" + i);
      env.put("WHARF_PROJECTS_" + i + "_TYPE", "local");
    }

    assertThat(load(Optional.empty(), env).projects()).hasSize(12);
  }

  @Test
  void environmentIndexPastTheEndIsAnErrorNamingTheVariable() {
    assertLoadFails(Map.of("WHARF_UPSTREAMS_7_URL", "http://127.0.0.1:5000"))
        .hasMessage(
            "environment variable WHARF_UPSTREAMS_7_URL: index 7 is past the end of 'upstreams',"
                + " which has 6 items (index 6 appends one)");
  }

  @Test
  void anAppendedItemMissingAKeyNamesTheKeyAndTheVariable() {
    assertLoadFails(Map.of("WHARF_UPSTREAMS_6_URL", "http://127.0.0.1:5000"))
        .hasMessage(
            "config key 'upstreams[6].name': is required but not set; from WHARF_UPSTREAMS_6_URL");
  }

  @Test
  void environmentOverridesAnUpstreamOfTheDefaultList() {
    WharfConfig config =
        load(
            Optional.empty(),
            Map.of(
                "WHARF_UPSTREAMS_0_URL", "https://mirror.example",
                "WHARF_UPSTREAMS_0_USERNAME", "robot",
                "WHARF_UPSTREAMS_0_PASSWORD", "s3cret",
                "WHARF_PULL_THROUGH_BREAKER_OPEN_FOR", "30s",
                "WHARF_PULL_THROUGH_PLATFORMS_0", "linux/arm64"));

    UpstreamConfig hub = config.upstreamForHost("docker.io").orElseThrow();
    assertThat(hub.url()).isEqualTo(URI.create("https://mirror.example"));
    assertThat(hub.hasCredentials()).isTrue();
    assertThat(config.pullThrough().breaker().openFor()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.pullThrough().effectivePlatforms())
        .containsExactly(new Platform("linux", "arm64", null));
  }

  @Test
  void unknownWharfVariableIsAnErrorNamingIt() {
    assertLoadFails(Map.of("WHARF_SERVER_HTP_LISTEN", "0.0.0.0:1"))
        .hasMessageStartingWith(
            "environment variable WHARF_SERVER_HTP_LISTEN matches no config key");
    assertLoadFails(Map.of("WHARF_", "x")).hasMessageContaining("WHARF_ matches no config key");
    assertLoadFails(Map.of("WHARF_SERVER__IO_THREADS", "1"))
        .hasMessageContaining("WHARF_SERVER__IO_THREADS");
  }

  @Test
  void variableNamingASectionIsAnError() {
    assertLoadFails(Map.of("WHARF_SERVER_HTTP", "0.0.0.0:1"))
        .hasMessageStartingWith(
            "environment variable WHARF_SERVER_HTTP names 'server.http', which holds other keys");
    assertLoadFails(Map.of("WHARF_PROJECTS", "a")).hasMessageContaining("names 'projects'");
  }

  @Test
  void launcherVariablesAndOtherVariablesAreNotConfig() {
    Map<String, String> env =
        Map.of(
            "WHARF_JAR", "/x.jar",
            "WHARF_JAVA_OPTS", "-Dx=y",
            "WHARF_HOME", "/tmp/x",
            "WHARF_DATA", "/tmp/x",
            "WHARF_HEAP", "1g",
            "WHARF_DIRECT_MEMORY", "1g",
            "HOME", "/root",
            "wharf_server_io_threads", "9");

    assertThat(ConfigLoader.load(Optional.empty(), env, WORKING_DIRECTORY)).isEqualTo(DEFAULTS);
  }

  @Test
  void badValueFromTheEnvironmentNamesKeyValueAndVariable() {
    assertLoadFails(Map.of("WHARF_SERVER_IDLE_TIMEOUT", "5 parsecs"))
        .hasMessage(
            "config key 'server.idleTimeout': cannot parse '5 parsecs' as a duration (examples:"
                + " 500ms, 30s, 5m, 2h); from WHARF_SERVER_IDLE_TIMEOUT");
    assertLoadFails(Map.of("WHARF_SERVER_IO_THREADS", "four"))
        .hasMessage(
            "config key 'server.ioThreads': cannot parse 'four' as a whole number; from"
                + " WHARF_SERVER_IO_THREADS");
  }

  @Test
  void unknownKeyNamesTheKeyAndTheFile() throws IOException {
    Path file = write("server:\n  htp:\n    listen: 0.0.0.0:1\n");

    assertLoadFails(file)
        .hasMessage(
            "unknown config key 'server.htp' in " + file + " (did you mean 'server.http'?)");
    assertLoadFails(write("color: red\n")).hasMessageStartingWith("unknown config key 'color' in ");
    assertLoadFails(write("projects:\n  - name: a\n    type: local\n    colour: red\n"))
        .hasMessageStartingWith("unknown config key 'projects[0].colour' in ");
  }

  @Test
  void badDurationNamesTheKeyTheValueAndTheFile() throws IOException {
    Path file = write("server:\n  idleTimeout: 5 parsecs\n");

    assertLoadFails(file)
        .hasMessage(
            "config key 'server.idleTimeout': cannot parse '5 parsecs' as a duration (examples:"
                + " 500ms, 30s, 5m, 2h); from "
                + file);
  }

  @Test
  void badSizeNamesTheKeyAndTheValue() {
    assertLoadFails("server:\n  maxHeaderSize: 16KB\n")
        .hasMessageStartingWith(
            "config key 'server.maxHeaderSize': cannot parse '16KB' as a size: unknown unit 'KB'");
    assertLoadFails("server:\n  maxManifestSize: 4GiB\n")
        .hasMessageStartingWith(
            "config key 'server.maxManifestSize': 4GiB is not between 1B and 2GiB");
  }

  @Test
  void badListenAddressNamesTheKeyAndTheValue() {
    assertLoadFails("server:\n  http:\n    listen: 127.0.0.1:99999\n")
        .hasMessageStartingWith(
            "config key 'server.http.listen': cannot parse '127.0.0.1:99999' as HOST:PORT:"
                + " the port must be a number in 0..65535");
    // unquoted, YAML reads [::1] as the start of a list: a syntax error, named by its line
    assertLoadFails("server:\n  http:\n    listen: [::1]:5050\n")
        .hasMessageContaining(" at line 3, column 14: ");
  }

  @Test
  void projectNamesFollowTheDistributionGrammarAndAreUnique() {
    assertLoadFails("projects:\n  - name: Spectro\n    type: local\n")
        .hasMessageStartingWith(
            "config key 'projects[0].name': 'Spectro' is not a valid project name");
    assertLoadFails("projects:\n  - {name: a, type: local}\n  - {name: a, type: local}\n")
        .hasMessageStartingWith(
            "config key 'projects[1].name': 'a' is already used by projects[0].name");
    assertLoadFails("projects:\n  - name: a\n    type: remote\n")
        .hasMessageStartingWith(
            "config key 'projects[0].type': cannot parse 'remote' as a project type (one of:"
                + " local)");
  }

  @Test
  void upstreamsAreCheckedAndCollisionsRefused() {
    String upstream =
        "upstreams:\n  - {name: hub, host: docker.io, url: 'https://registry-1.docker.io',"
            + " tagTtl: 5m%s}\n";
    assertLoadFails(String.format(upstream, ", username: robot"))
        .hasMessageStartingWith("config key 'upstreams[0].password': username and password");
    assertLoadFails(String.format(upstream, "") + "projects: [{name: hub, type: local}]\n")
        .hasMessageStartingWith("config key 'upstreams[0].name': 'hub' is already used by");
    assertLoadFails(String.format(upstream, "") + "defaultUpstream: ghcr.io\n")
        .hasMessageStartingWith(
            "config key 'defaultUpstream': 'ghcr.io' is not the host of a configured upstream");
    assertLoadFails(String.format(upstream, "").replace("https://", "ftp://"))
        .hasMessageStartingWith("config key 'upstreams[0].url': 'ftp://registry-1.docker.io'");
    assertLoadFails(String.format(upstream, "").replace("docker.io,", "Docker.io,"))
        .hasMessageStartingWith("config key 'upstreams[0].host': 'Docker.io'");
  }

  @Test
  void upstreamPasswordNeverShowsInToString() {
    WharfConfig config =
        load(
            "upstreams:\n  - {name: hub, host: docker.io, url: 'https://registry-1.docker.io',"
                + " tagTtl: 5m, username: robot, password: s3cret}\n");

    assertThat(config.toString()).contains("robot").doesNotContain("s3cret");
    assertThat(config.upstreamForHost("docker.io")).isPresent();
    assertThat(config.upstreamNamed("hub").orElseThrow().hasCredentials()).isTrue();
    assertThat(config.localProject("spectro-images")).isPresent();
    assertThat(config.localProject("hub")).isEmpty();
  }

  @Test
  void wrongShapesAndMissingValuesNameTheKey() {
    assertLoadFails("server: 5\n")
        .hasMessageStartingWith("config key 'server': must be a mapping of keys, got '5'");
    assertLoadFails("projects: spectro\n")
        .hasMessageStartingWith("config key 'projects': must be a list, got 'spectro'");
    assertLoadFails("server:\n  idleTimeout:\n")
        .hasMessageStartingWith("config key 'server.idleTimeout': has no value");
    assertLoadFails("server:\n  ioThreads: 1.5\n")
        .hasMessageStartingWith("config key 'server.ioThreads': ");
    assertLoadFails("- a\n- b\n").hasMessageContaining("must hold a mapping of config keys");
  }

  @Test
  void unreadableFilesAreNamed() throws IOException {
    Path missing = dir.resolve("missing.yaml");
    assertLoadFails(missing).hasMessage("config file " + missing + " does not exist");

    Path broken = write("server:\n  idleTimeout: [5m\n");
    assertLoadFails(broken)
        .hasMessageStartingWith("cannot parse config file " + broken + " at line");

    Path duplicate = write("server:\n  ioThreads: 1\n  ioThreads: 2\n");
    assertLoadFails(duplicate).hasMessageContaining("ioThreads");
  }

  @Test
  void theDefaultUpstreamsAreTheIssuesRegistriesAnonymousWithDockerHubAsTheDefault() {
    WharfConfig config = load(Optional.empty(), Map.of());

    assertThat(config.upstreams())
        .extracting(UpstreamConfig::host)
        .containsExactly(
            "docker.io", "ghcr.io", "quay.io", "registry.k8s.io", "gcr.io", "public.ecr.aws");
    assertThat(config.upstreams()).noneMatch(UpstreamConfig::hasCredentials);
    assertThat(config.defaultUpstreamConfig().map(UpstreamConfig::url))
        .contains(URI.create("https://registry-1.docker.io"));
    assertThat(config.upstreamNamed("ecr-public").map(UpstreamConfig::hostKey))
        .contains("public.ecr.aws");
  }

  @Test
  void upstreamsInTheFileReplaceTheDefaultListWhole() {
    WharfConfig config =
        load(
            "upstreams:\n  - {name: harness, host: 'upstream.test:5000', url: 'http://127.0.0.1:5000',"
                + " tagTtl: 1m}\ndefaultUpstream: ''\n");

    assertThat(config.upstreams()).extracting(UpstreamConfig::name).containsExactly("harness");
    assertThat(config.upstreamForHostKey("upstream.test_5000")).isPresent();
    assertThat(config.defaultUpstreamConfig()).isEmpty();
    assertThat(load("upstreams: []\ndefaultUpstream: ''\n").upstreams()).isEmpty();
    // the default list is gone, so its default upstream must go with it
    assertLoadFails("upstreams: []\n")
        .hasMessageStartingWith(
            "config key 'defaultUpstream': 'docker.io' is not the host of a configured upstream");
  }

  @Test
  void caFileIsResolvedAgainstTheWorkingDirectoryAndMustBeReadable() throws IOException {
    Files.createDirectories(dir.resolve("etc"));
    Files.writeString(dir.resolve("etc/ca.pem"), "pem");
    String upstream =
        "upstreams:\n  - {name: corp, host: corp.example, url: 'https://corp.example',"
            + " tagTtl: 5m, caFile: %s}\ndefaultUpstream: ''\n";

    WharfConfig config =
        ConfigLoader.load(Optional.of(write(upstream.formatted("etc/ca.pem"))), Map.of(), dir);

    assertThat(config.upstreams().get(0).caFile()).isEqualTo(dir.resolve("etc/ca.pem"));
    assertThat(load(upstream.formatted("''")).upstreams().get(0).caFile()).isNull();
    Path missing = write(upstream.formatted("missing.pem"));
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(missing), Map.of(), dir))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "config key 'upstreams[0].caFile': '"
                + dir.resolve("missing.pem")
                + "' does not exist; from "
                + missing);
    assertLoadFails(
            upstream.formatted("/etc/ca.pem").replace("https://corp.example", "http://corp.example"))
        .hasMessageStartingWith("config key 'upstreams[0].caFile': is set but url");
  }

  @Test
  void upstreamHostsWithAPortAreKeyedWithAnUnderscore() {
    String upstream =
        "upstreams:\n  - {name: harness, host: '%s', url: 'http://127.0.0.1:5000', tagTtl: 1m}\n"
            + "defaultUpstream: ''\n";

    assertThat(load(upstream.formatted("upstream.test:5000")).upstreams().get(0).hostKey())
        .isEqualTo("upstream.test_5000");
    assertLoadFails(upstream.formatted("upstream.test:70000"))
        .hasMessageStartingWith("config key 'upstreams[0].host': 'upstream.test:70000': the port");
    assertLoadFails(upstream.formatted("[::1]:5000"))
        .hasMessageStartingWith("config key 'upstreams[0].host': '[::1]:5000' is not a registry host");
    assertLoadFails(
            upstream.formatted("upstream.test:5000")
                + "projects: [{name: upstream.test_5000, type: local}]\n")
        .hasMessageStartingWith(
            "config key 'upstreams[0].host': 'upstream.test_5000' is already used by"
                + " projects[0].name");
  }

  @Test
  void pullThroughValuesAreCheckedNamingTheKey() {
    assertLoadFails("pullThrough:\n  tagCheckTimeout: 0\n")
        .hasMessageStartingWith("config key 'pullThrough.tagCheckTimeout': must be longer than 0s");
    assertLoadFails("pullThrough:\n  retries: 11\n")
        .hasMessageStartingWith("config key 'pullThrough.retries': 11 is not in 0..10");
    assertLoadFails("pullThrough:\n  platforms: [linux]\n")
        .hasMessageStartingWith(
            "config key 'pullThrough.platforms[0]': cannot parse 'linux' as a platform");
    assertLoadFails("pullThrough:\n  platforms: [linux/amd64, linux/amd64]\n")
        .hasMessageStartingWith(
            "config key 'pullThrough.platforms[1]': 'linux/amd64' is listed twice");
    assertLoadFails("pullThrough:\n  breaker:\n    failureThreshold: 0\n")
        .hasMessageStartingWith("config key 'pullThrough.breaker.failureThreshold': 0 is less");
    assertLoadFails("pullThrough:\n  breaker:\n    openFor: 1m\n    maxOpenFor: 30s\n")
        .hasMessageStartingWith(
            "config key 'pullThrough.breaker.maxOpenFor': 30s is shorter than openFor (1m)");
  }

  @Test
  void noPlatformsMeansTheHostsOwn() {
    assertThat(PullThroughConfig.hostPlatform("amd64")).hasToString("linux/amd64");
    assertThat(PullThroughConfig.hostPlatform("x86_64")).hasToString("linux/amd64");
    assertThat(PullThroughConfig.hostPlatform("aarch64")).hasToString("linux/arm64");
    assertThat(PullThroughConfig.hostPlatform("arm")).hasToString("linux/arm/v7");
    assertThat(PullThroughConfig.hostPlatform("ppc64le")).hasToString("linux/ppc64le");
    assertThat(DEFAULTS.pullThrough().effectivePlatforms())
        .containsExactly(PullThroughConfig.hostPlatform(System.getProperty("os.arch")));
  }

  private WharfConfig load(String yaml) {
    try {
      return load(Optional.of(write(yaml)), Map.of());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static WharfConfig load(Optional<Path> file, Map<String, String> env) {
    return ConfigLoader.load(file, env, WORKING_DIRECTORY);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(String yaml) {
    try {
      return assertLoadFails(write(yaml));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(Path file) {
    return assertThatThrownBy(() -> load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertLoadFails(
      Map<String, String> env) {
    return assertThatThrownBy(() -> load(Optional.empty(), env))
        .isInstanceOf(ConfigException.class);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "wharf", ".yaml"), yaml);
  }

  private static void assertEveryValueDiffers(Object defaults, Object configured, String path) {
    for (RecordComponent component : defaults.getClass().getRecordComponents()) {
      Object before = value(component, defaults);
      Object after = value(component, configured);
      String key = path.isEmpty() ? component.getName() : path + "." + component.getName();
      if (before != null
          && before.getClass().isRecord()
          && !ConfigModule.SCALAR_TYPES.contains(before.getClass())) {
        assertEveryValueDiffers(before, after, key);
      } else {
        assertThat(after).as("config key '%s' is left at its default", key).isNotEqualTo(before);
      }
    }
  }

  private static Object value(RecordComponent component, Object record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}

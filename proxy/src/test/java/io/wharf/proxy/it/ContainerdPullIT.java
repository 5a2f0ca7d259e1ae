package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wharf.proxy.it.fixture.Containerd;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 (containerd half) and 2 (offline, ctr) of issue 3: a private containerd pulls through
 * wharf with the hosts.toml files that {@code wharf containerd-config} wrote from wharf's own config,
 * their {@code server} a dead port, so a pull can only succeed through wharf. Debian's
 * docker-registry is the one real upstream, configured twice: as {@code upstream.test:5000} (hub)
 * and as {@code docker.io} (dockerhub), so every configured upstream is loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class ContainerdPullIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOST = "upstream.test:5000";
  private static final String ALPINE = HOST + "/library/alpine:3.20";
  private static final String NGINX = HOST + "/library/nginx:1.27";
  private static final String HUB_ALPINE = "docker.io/library/alpine:3.20";
  private static final String ACCEPT_ALL = String.join(", ", SyntheticImages.INDEX_MEDIA_TYPE,
      "application/vnd.docker.distribution.manifest.list.v2+json", SyntheticImages.MANIFEST_MEDIA_TYPE,
      "application/vnd.docker.distribution.manifest.v2+json");

  @TempDir static Path tmp;
  private ImageInfo alpine;
  private ImageInfo nginx;
  private DockerRegistry upstream;
  private WharfProcess wharf;
  private Containerd containerd;
  private Path hosts;
  private URI dead;
  private final Http http = Http.client(Duration.ofMinutes(2));

  /** Both upstreams point at the same loopback registry; tagTtl 0s, so every tag pull checks it. */
  static String upstreamsYaml(String url) {
    return "upstreams:\n"
        + "  - {name: hub, host: '" + HOST + "', url: '" + url + "', tagTtl: 0s}\n"
        + "  - {name: dockerhub, host: docker.io, url: '" + url + "', tagTtl: 0s}\n"
        + "defaultUpstream: '" + HOST + "'\n"
        + "pullThrough:\n  tagCheckTimeout: 2s\n  connectTimeout: 2s\n  readTimeout: 10s\n";
  }

  @BeforeAll
  void start() throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 11);
    alpine = images.single("alpine", List.of(400_000L, 200_000L));
    nginx = images.multiArch("nginx", List.of(500_000L, 300_000L));
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    upstream = DockerRegistry.start(tmp.resolve("upstream"));
    skopeo.copy(images.ociRef("alpine"), "docker://" + upstream.hostPort() + "/library/alpine:3.20", "--preserve-digests");
    skopeo.copy(images.ociRef("nginx"), "docker://" + upstream.hostPort() + "/library/nginx:1.27", "--all",
        "--preserve-digests");
    var launcher = WharfProcess.on(tmp.resolve("data")).workDir(tmp.resolve("wharf"))
        .upstreams(upstreamsYaml(upstream.url().toString()));
    directOnly(launcher);
    wharf = launcher.start();
    hosts = tmp.resolve("hosts");
    dead = Containerd.deadServer();
    containerd = Containerd.start(tmp.resolve("containerd"));
  }

  @AfterAll
  void stop() {
    if (containerd != null) {
      containerd.close();
    }
    if (wharf != null) {
      wharf.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Order(1)
  void containerdConfigWritesAHostsTomlPerUpstreamWithWharfAsMirrorAndTheDeadServer() throws Exception {
    String out = runCli("containerd-config", "--config", wharf.configFile().toString(), "--dir", hosts.toString(),
        "--mirror", wharf.url().toString(), "--server", dead.toString());
    assertThat(out).contains(hosts.resolve(HOST).resolve("hosts.toml").toString(),
        hosts.resolve("docker.io").resolve("hosts.toml").toString());
    for (String host : List.of(HOST, "docker.io")) {
      String toml = Files.readString(hosts.resolve(host).resolve("hosts.toml"));
      assertThat(toml).as(host).contains("server = \"" + dead + "\"", "[host.\"" + wharf.url() + "\"]",
          "capabilities = [\"pull\", \"resolve\"]");
    }
    // containerd 1.6 would prefer upstream.test_5000_/ over upstream.test:5000/: the CLI writes no such dir
    try (var dirs = Files.list(hosts)) {
      assertThat(dirs.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder(HOST, "docker.io");
    }
  }

  @Test
  @Order(2)
  void ctrPullsEveryImageBothPlatformsThroughWharfWithTheUpstreamsDigestsAndNs() throws IOException {
    assertThat(upstreamDigest("library/alpine", "3.20")).isEqualTo(alpine.digest());
    assertThat(upstreamDigest("library/nginx", "1.27")).isEqualTo(nginx.digest());
    int logFrom = accessLog().size();

    pullAll("online");

    List<JsonNode> requests = accessLog().subList(logFrom, accessLog().size()).stream()
        .filter(e -> e.path("user_agent").asText().startsWith("containerd/")).toList();
    assertThat(requests).isNotEmpty();
    assertThat(requests).allSatisfy(e -> assertThat(e.path("status").asInt()).as(e.toString()).isEqualTo(200));
    Set<String> ns = new TreeSet<>();
    for (JsonNode e : requests) {
      String value = ns(e.path("uri").asText());
      assertThat(value).as("?ns= on %s", e.path("uri").asText()).isNotNull();
      ns.add(value);
    }
    assertThat(ns).containsExactly("docker.io", HOST);
    assertThat(requests).anySatisfy(e -> assertThat(e.path("uri").asText()).endsWith("?ns=upstream.test%3A5000"));
    // ?ns= chose the upstream: each host's pulls are stored under its own canonical name
    Path repositories = tmp.resolve("data/docker/registry/v2/repositories");
    assertThat(repositories.resolve("upstream.test_5000/library/alpine")).isDirectory();
    assertThat(repositories.resolve("upstream.test_5000/library/nginx")).isDirectory();
    assertThat(repositories.resolve("docker.io/library/alpine")).isDirectory();
    assertThat(repositories.resolve("docker.io/library/nginx")).doesNotExist();
  }

  @Test
  @Order(3)
  void ctrPullsEveryImageAgainByTagAndDigestWithTheUpstreamStopped() {
    upstream.stop();
    containerd.wipe();
    assertThat(containerd.images()).isEmpty();

    pullAll("offline");
    // every tag was older than its TTL (0s): checked, the check failed, the cached copy was served
    String metrics = http.get(wharf.url() + "/metrics").bodyText();
    for (String name : List.of("hub", "dockerhub")) {
      Matcher m = Pattern.compile("(?m)^wharf_stale_served_total\\{[^}]*upstream=\"" + name + "\"[^}]*\\} (\\S+)$")
          .matcher(metrics);
      assertThat(m.find()).as("stale serves of %s in /metrics:\n%s", name, metrics).isTrue();
      assertThat(Double.parseDouble(m.group(1))).as("stale serves of %s", name).isPositive();
    }

    containerd.pull(HOST + "/library/alpine@" + alpine.digest(), hosts);
    assertThat(containerd.imageDigest(HOST + "/library/alpine@" + alpine.digest())).hasValue(alpine.digest());
    containerd.pull(HOST + "/library/nginx@" + nginx.digest(), hosts);
    assertThat(containerd.check(HOST + "/library/nginx@" + nginx.digest()).complete()).isTrue();
    containerd.pull("docker.io/library/alpine@" + alpine.digest(), hosts);
    assertThat(containerd.imageDigest("docker.io/library/alpine@" + alpine.digest())).hasValue(alpine.digest());
  }

  /** ctr pulls of both images by tag (nginx for the host platform and the other one), all checked. */
  private void pullAll(String phase) {
    containerd.pull(ALPINE, hosts);
    assertThat(containerd.imageDigest(ALPINE)).as(phase).hasValue(alpine.digest());
    assertComplete(ALPINE, phase);

    containerd.pull(NGINX, hosts);
    assertThat(containerd.imageDigest(NGINX)).as(phase).hasValue(nginx.digest());
    assertComplete(NGINX, phase);
    String[] other = foreignPlatform();
    containerd.pull(NGINX, hosts, "--platform", other[0]);
    // the host platform's blobs and now the other one's: every blob of the index
    assertThat(containerd.contentDigests()).as(phase).containsAll(nginx.blobDigests());
    assertThat(nginx.blobsOf(other[1])).isNotEmpty();

    containerd.pull(HUB_ALPINE, hosts);
    assertThat(containerd.imageDigest(HUB_ALPINE)).as(phase).hasValue(alpine.digest());
    assertComplete(HUB_ALPINE, phase);
  }

  private void assertComplete(String ref, String phase) {
    Containerd.Check check = containerd.check(ref);
    assertThat(check.complete()).as("%s %s", phase, check.line()).isTrue();
    assertThat(check.unpacked()).as("%s %s", phase, check.line()).isTrue();
  }

  /** {ctr --platform value, SyntheticImages platform} of the platform that is not the host's. */
  private static String[] foreignPlatform() {
    String arch = System.getProperty("os.arch");
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    return arm ? new String[] {"linux/amd64", SyntheticImages.AMD64} : new String[] {"linux/arm64", SyntheticImages.ARM64};
  }

  private String upstreamDigest(String repo, String tag) {
    Http.Response r = http.head(upstream.url() + "/v2/" + repo + "/manifests/" + tag, "Accept", ACCEPT_ALL);
    assertThat(r.status()).isEqualTo(200);
    return r.dockerContentDigest();
  }

  /** wharf's access log so far. */
  private List<JsonNode> accessLog() {
    return wharf.accessLog();
  }

  private static @Nullable String ns(String uri) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String pair : uri.substring(q + 1).split("&")) {
      if (pair.startsWith("ns=")) {
        return URLDecoder.decode(pair.substring(3), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** Runs the wharf jar's CLI with an empty environment (no WHARF_ overrides); returns its stdout. */
  private static String runCli(String... args) throws Exception {
    var command = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty(WharfProcess.JAR_PROPERTY)));
    command.addAll(List.of(args));
    Path out = tmp.resolve("cli.out");
    var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("wharf %s finished", args[0]).isTrue();
    String output = Files.readString(out);
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }

  /** No proxy variables inherited from the machine: wharf dials the loopback upstream directly. */
  static WharfProcess.Launcher directOnly(WharfProcess.Launcher launcher) {
    for (String name : List.of("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")) {
      launcher.env(name, "");
    }
    return launcher;
  }
}

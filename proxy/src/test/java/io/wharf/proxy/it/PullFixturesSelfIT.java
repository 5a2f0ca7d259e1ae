package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.proxy.it.fixture.AccessLogCounter;
import io.wharf.proxy.it.fixture.BlobFile;
import io.wharf.proxy.it.fixture.ConnectProxy;
import io.wharf.proxy.it.fixture.Containerd;
import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.FreezableForwarder;
import io.wharf.proxy.it.fixture.HangingServer;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.ThrottledReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the fixtures of the pull-through acceptance tests (issue 3) against real tools, without
 * wharf: a private containerd pulling from a loopback mirror, a CONNECT proxy, an upstream that can
 * be frozen, a slow reader, and the access log counter.
 */
final class PullFixturesSelfIT {

  private final Http http = Http.client(Duration.ofMinutes(2));

  @Test
  void containerdPullsOnlyThroughTheLoopbackMirrorWithNsAndTheDigestsPushed(@TempDir Path tmp) throws Exception {
    var images = SyntheticImages.in(tmp.resolve("layout"), 3);
    ImageInfo alpine = images.single("alpine-3.20", List.of(300_000L, 200_000L, 100_000L));
    ImageInfo nginx = images.multiArch("nginx-1.27", List.of(250_000L, 150_000L));
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    URI dead = Containerd.deadServer();

    try (var registry = DockerRegistry.on(tmp.resolve("registry")).workDir(tmp.resolve("registry-run")).start();
        var containerd = Containerd.start(tmp.resolve("containerd"))) {
      skopeo.copy(images.ociRef("alpine-3.20"), "docker://" + registry.hostPort() + "/library/alpine:3.20",
          "--preserve-digests");
      skopeo.copy(images.ociRef("nginx-1.27"), "docker://" + registry.hostPort() + "/library/nginx:1.27",
          "--all", "--preserve-digests");
      Path hosts = tmp.resolve("hosts");
      Path written = Containerd.writeHostsToml(hosts, "upstream.test:5000", dead, registry.url());
      assertThat(Files.readString(written)).contains("server = \"" + dead + "\"",
          "[host.\"" + registry.url() + "\"]", "capabilities = [\"pull\", \"resolve\"]");
      // dial_timeout is a containerd 1.7 key: 1.6 must ignore it, not fail (wharf containerd-config writes it)
      Containerd.writeHostsToml(hosts, "docker.io", dead, List.of(registry.url()), "dial_timeout = \"1s\"");

      // by tag, single-platform image: digest as pushed, every blob fetched, unpacked
      String alpineRef = "upstream.test:5000/library/alpine:3.20";
      var before = AccessLogCounter.of(registry);
      Containerd.Result pulled = containerd.pull(alpineRef, hosts);
      assertThat(pulled.elapsed()).isLessThan(Duration.ofSeconds(60));
      assertThat(containerd.imageDigest(alpineRef)).hasValue(alpine.digest());
      Containerd.Check check = containerd.check(alpineRef);
      assertThat(check.complete()).as(check.line()).isTrue();
      assertThat(check.unpacked()).as(check.line()).isTrue();
      // ctr counts the manifest's children (config and layers), not the manifest itself
      assertThat(check.available()).as(check.line()).isEqualTo(check.required()).isEqualTo(alpine.blobs().size() - 1);
      assertThat(containerd.contentDigests()).containsAll(alpine.blobDigests());

      var seen = AccessLogCounter.of(registry).since(before);
      assertThat(seen.entries()).isNotEmpty()
          .allSatisfy(e -> assertThat(e.ns()).as(e.target()).hasValue("upstream.test:5000"));
      // containerd URL-encodes the port's colon
      assertThat(seen.entries()).anySatisfy(e -> assertThat(e.query()).isEqualTo("ns=upstream.test%3A5000"));
      assertThat(seen.count("HEAD", AccessLogCounter.manifestPath("library/alpine", "3.20"))).isEqualTo(1);
      for (ImageInfo.Blob layer : alpine.blobs(ImageInfo.Kind.LAYER)) {
        assertThat(seen.count("GET", AccessLogCounter.blobPath("library/alpine", layer.digest())))
            .as(layer.digest()).isEqualTo(1);
      }
      assertThat(seen.entries()).allSatisfy(e -> assertThat(e.userAgent()).startsWith("containerd/1.6"));

      // by digest
      String byDigest = "upstream.test:5000/library/alpine@" + alpine.digest();
      containerd.pull(byDigest, hosts);
      assertThat(containerd.imageDigest(byDigest)).hasValue(alpine.digest());

      // the multi-arch index, one foreign platform, through the docker.io hosts.toml
      String nginxRef = "docker.io/library/nginx:1.27";
      before = AccessLogCounter.of(registry);
      containerd.pull(nginxRef, hosts, "--platform", "linux/arm64");
      assertThat(containerd.imageDigest(nginxRef)).hasValue(nginx.digest());
      Set<String> content = Set.copyOf(containerd.contentDigests());
      assertThat(content).containsAll(nginx.blobsOf(SyntheticImages.ARM64).stream().map(ImageInfo.Blob::digest).toList());
      assertThat(content).doesNotContainAnyElementsOf(nginx.blobsOf(SyntheticImages.AMD64).stream()
          .filter(b -> b.kind() == ImageInfo.Kind.LAYER).map(ImageInfo.Blob::digest).toList());
      // ctr images check judges the host platform only: the amd64 manifest is missing
      Containerd.Check foreign = containerd.check(nginxRef);
      assertThat(foreign.complete()).as(foreign.line()).isFalse();
      assertThat(foreign.unpacked()).isFalse();
      assertThat(AccessLogCounter.of(registry).since(before).entries())
          .allSatisfy(e -> assertThat(e.ns()).hasValue("docker.io"));

      // and the host platform: complete and unpacked
      containerd.pull(nginxRef, hosts);
      assertThat(containerd.check(nginxRef).complete()).isTrue();
      assertThat(containerd.check(nginxRef).unpacked()).isTrue();
      // every platform: all blobs, no unpack
      containerd.pull(nginxRef, hosts, "--all-platforms");
      assertThat(containerd.contentDigests()).containsAll(nginx.blobDigests());

      // removeAll, then a fresh client (wipe): empty, and a pull works again
      containerd.removeAll();
      assertThat(containerd.images()).isEmpty();
      containerd.pull(alpineRef, hosts);
      long pid = containerd.pid();
      containerd.wipe();
      assertThat(containerd.pid()).isNotEqualTo(pid);
      assertThat(containerd.images()).isEmpty();
      assertThat(containerd.contentDigests()).isEmpty();
      containerd.pull(alpineRef, hosts);
      assertThat(containerd.imageDigest(alpineRef)).hasValue(alpine.digest());

      // a registry only named in _default/hosts.toml: containerd 1.6 uses it, and the guard agrees
      Path defaults = tmp.resolve("hosts-default");
      Containerd.writeHostsToml(defaults, "_default", dead, registry.url());
      assertThat(Containerd.requireLoopbackHosts(defaults, "other.test/library/alpine:3.20"))
          .isEqualTo(defaults.resolve("_default/hosts.toml"));
      before = AccessLogCounter.of(registry);
      containerd.pull("other.test/library/alpine:3.20", defaults);
      assertThat(AccessLogCounter.of(registry).since(before).entries())
          .allSatisfy(e -> assertThat(e.ns()).hasValue("other.test"));

      // the guard: nothing runs when containerd could reach a host that is not loopback
      assertThatThrownBy(() -> containerd.pull("unconfigured.test/library/alpine:3.20", hosts))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no hosts.toml for unconfigured.test");
      Path leaky = tmp.resolve("hosts-leaky");
      Files.createDirectories(leaky.resolve("docker.io"));
      Files.writeString(leaky.resolve("docker.io/hosts.toml"), "server = \"https://registry-1.docker.io\"\n");
      assertThatThrownBy(() -> containerd.pull(nginxRef, leaky)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("non-loopback");
      Files.writeString(leaky.resolve("docker.io/hosts.toml"),
          "[host.\"" + registry.url() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
      assertThatThrownBy(() -> containerd.pull(nginxRef, leaky)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no server");
      assertThatThrownBy(() -> Containerd.writeHostsToml(leaky, "docker.io", URI.create("https://10.0.0.1")))
          .isInstanceOf(IllegalArgumentException.class);

      // mirror gone: the pull fails fast on the dead server, naming it
      registry.stop();
      containerd.removeAll();
      Containerd.Result offline = containerd.tryPull(alpineRef, hosts);
      assertThat(offline.ok()).isFalse();
      assertThat(offline.elapsed()).isLessThan(Duration.ofSeconds(30));
      assertThat(offline.stderr()).contains(dead.getAuthority());
    }
  }

  @Test
  void containerdUnpacksWithTheNativeSnapshotterWhereOverlayCannotMount(@TempDir Path tmp) {
    var images = SyntheticImages.in(tmp.resolve("layout"), 4);
    ImageInfo small = images.single("small-1", List.of(50_000L, 20_000L));
    try (var registry = DockerRegistry.start(tmp.resolve("registry"));
        var containerd = Containerd.on(tmp.resolve("containerd")).snapshotter("native").start()) {
      Skopeo.in(tmp.resolve("skopeo")).copy(images.ociRef("small-1"),
          "docker://" + registry.hostPort() + "/library/small:1", "--preserve-digests");
      Path hosts = tmp.resolve("hosts");
      Containerd.writeHostsToml(hosts, "upstream.test:5000", Containerd.deadServer(), registry.url());
      containerd.pull("upstream.test:5000/library/small:1", hosts, "--plain-http");
      assertThat(containerd.snapshotter()).isEqualTo("native");
      Containerd.Check check = containerd.check("upstream.test:5000/library/small:1");
      assertThat(check.complete()).isTrue();
      assertThat(check.unpacked()).isTrue();
      assertThat(check.digest()).isEqualTo(small.digest());
    }
  }

  @Test
  void connectProxyTunnelsAndForwardsToLoopbackOnlyAndCountsPerTarget(@TempDir Path tmp) throws Exception {
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), (3L << 20) + 17, 5);
    try (var registry = DockerRegistry.start(tmp.resolve("registry"));
        var proxy = ConnectProxy.start()) {
      String blobUrl = upload(registry, "test/proxy", blob);

      // CONNECT over a raw socket, then HTTP inside the tunnel
      try (var s = new Socket()) {
        s.connect(proxy.address(), 5000);
        s.setSoTimeout(10_000);
        send(s, "CONNECT " + registry.hostPort() + " HTTP/1.1\r\nHost: " + registry.hostPort() + "\r\n\r\n");
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 Connection Established");
        send(s, "GET /v2/ HTTP/1.1\r\nHost: " + registry.hostPort() + "\r\nConnection: close\r\n\r\n");
        String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(response).startsWith("HTTP/1.1 200 OK").contains("Docker-Distribution-Api-Version");
      }
      assertThat(proxy.tunnels()).containsEntry(registry.hostPort(), 1);

      // the JDK client with a proxy selector: absolute-form requests for http targets
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .proxy(ProxySelector.of(proxy.address())).connectTimeout(Duration.ofSeconds(5)).build();
      for (int i = 0; i < 3; i++) {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(blobUrl))
            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(sha256(r.body())).isEqualTo(blob.digest());
      }
      assertThat(proxy.forwards(registry.hostPort())).isEqualTo(3);
      assertThat(proxy.bytes()).isGreaterThan(3 * blob.size());

      // non-loopback targets are refused without being dialled
      try (var s = new Socket()) {
        s.connect(proxy.address(), 5000);
        s.setSoTimeout(10_000);
        send(s, "CONNECT registry-1.docker.io:443 HTTP/1.1\r\nHost: registry-1.docker.io:443\r\n\r\n");
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 403");
      }
      HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create("http://10.1.2.3:5000/v2/"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(proxy.refused()).containsExactly("registry-1.docker.io:443", "10.1.2.3:5000");
      assertThat(proxy.tunnels()).containsOnlyKeys(registry.hostPort());
      assertThat(proxy.accepted()).isEqualTo(6);
    }
  }

  @Test
  void freezableForwarderPassesTrafficThenHoldsAndCountsNewConnectionsUntilThawed(@TempDir Path tmp)
      throws Exception {
    try (var registry = DockerRegistry.start(tmp.resolve("registry"));
        var forwarder = FreezableForwarder.to(registry.port())) {
      assertThat(http.get(forwarder.url() + "/v2/").status()).isEqualTo(200);
      assertThat(rawGet(forwarder.hostPort(), "/v2/", 5_000)).startsWith("HTTP/1.1 200 OK");
      assertThat(forwarder.awaitAccepted(2, Duration.ofSeconds(5))).isEqualTo(2);

      forwarder.freeze();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> rawGet(forwarder.hostPort(), "/v2/", 1_000)).isInstanceOf(SocketTimeoutException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> rawGet(forwarder.hostPort(), "/v2/", 200)).isInstanceOf(SocketTimeoutException.class);
      }
      assertThat(forwarder.awaitAccepted(8, Duration.ofSeconds(5))).isEqualTo(8);
      assertThat(forwarder.acceptedWhileFrozen()).isEqualTo(6);

      // a connection held while frozen is served on thaw, no byte lost (as after SIGCONT)
      try (var held = new Socket()) {
        held.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), forwarder.port()), 5000);
        send(held, "GET /v2/ HTTP/1.1\r\nHost: " + forwarder.hostPort() + "\r\nConnection: close\r\n\r\n");
        held.setSoTimeout(500);
        assertThatThrownBy(() -> held.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        forwarder.thaw();
        held.setSoTimeout(10_000);
        assertThat(new String(held.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
            .startsWith("HTTP/1.1 200 OK");
      }
      assertThat(rawGet(forwarder.hostPort(), "/v2/", 5_000)).startsWith("HTTP/1.1 200 OK");
      assertThat(forwarder.awaitAccepted(10, Duration.ofSeconds(5))).isEqualTo(10);
      assertThat(forwarder.acceptedWhileFrozen()).isEqualTo(7);
    }

    try (var hanging = HangingServer.start()) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> rawGet(hanging.hostPort(), "/v2/", 300)).isInstanceOf(SocketTimeoutException.class);
      }
      assertThat(hanging.accepted()).isEqualTo(3);
      assertThat(hanging.bytesRead()).isGreaterThan(0);
      assertThatThrownBy(() -> Http.client(Duration.ofMillis(500)).get(hanging.url() + "/v2/"))
          .hasRootCauseInstanceOf(java.net.http.HttpTimeoutException.class);
      assertThat(hanging.accepted()).isEqualTo(4);
    }
  }

  @Test
  void throttledReaderReadsABlobAtTheGivenRateAndAccessLogCounterCountsTheRequests(@TempDir Path tmp) {
    BlobFile blob = SyntheticImages.randomBlob(tmp.resolve("blobs"), 1L << 20, 9);
    try (var registry = DockerRegistry.start(tmp.resolve("registry"))) {
      String blobUrl = upload(registry, "library/big", blob);
      var before = AccessLogCounter.of(registry);

      ThrottledReader.Result slow = ThrottledReader.get(URI.create(blobUrl), 512 * 1024);
      assertThat(slow.status()).isEqualTo(200);
      assertThat(slow.complete()).isTrue();
      assertThat(slow.bodySize()).isEqualTo(blob.size());
      assertThat(slow.bodyDigest()).isEqualTo(blob.digest());
      assertThat(slow.header("Docker-Content-Digest")).hasValue(blob.digest());
      // 1 MiB at 512 KiB/s: about 2 s
      assertThat(slow.elapsed()).isBetween(Duration.ofMillis(1800), Duration.ofSeconds(6));

      ThrottledReader.Result range = ThrottledReader.get(URI.create(blobUrl), 10L << 20, "Range", "bytes=1000-");
      assertThat(range.status()).isEqualTo(206);
      assertThat(range.bodySize()).isEqualTo(blob.size() - 1000);

      for (int i = 0; i < 3; i++) {
        assertThat(http.getStreamed(blobUrl + "?ns=upstream.test%3A5000").bodyDigest()).isEqualTo(blob.digest());
      }
      http.head(blobUrl);
      http.get(registry.url() + "/v2/library/big/manifests/missing");

      var during = AccessLogCounter.of(registry).since(before);
      String path = AccessLogCounter.blobPath("library/big", blob.digest());
      assertThat(during.count("GET", path)).isEqualTo(5);
      assertThat(during.count("HEAD", path)).isEqualTo(1);
      assertThat(during.countPath(path)).isEqualTo(6);
      assertThat(during.count(e -> e.ns().isPresent())).isEqualTo(3);
      assertThat(during.matching(e -> e.ns().isPresent()))
          .allSatisfy(e -> assertThat(e.ns()).hasValue("upstream.test:5000"));
      assertThat(during.count("GET", AccessLogCounter.manifestPath("library/big", "missing"))).isEqualTo(1);
      assertThat(during.matching(e -> e.path().endsWith("/missing"))).singleElement()
          .satisfies(e -> assertThat(e.status()).isEqualTo(404));
      assertThat(during.matching(e -> e.method().equals("GET") && e.path().equals(path)))
          .anySatisfy(e -> assertThat(e.userAgent()).isEqualTo("wharf-it-throttled-reader"))
          .anySatisfy(e -> assertThat(e.status()).isEqualTo(206));
    }

    String canned = String.join("\n",
        "time=\"2026-01-01T00:00:00Z\" level=info msg=\"response completed\" http.request.method=GET",
        "127.0.0.1 - - [24/Nov/2026:22:12:44 +0000] \"HEAD /v2/library/x/manifests/1?ns=upstream.test%3A5000 "
            + "HTTP/1.1\" 404 91 \"\" \"containerd/1.6.20~ds1\"",
        "127.0.0.1 - - [24/Nov/2026:22:12:45 +0000] \"GET /v2/library/x/blobs/sha256:ab HTTP/1.1\" 200 - \"\" \"curl\"");
    var parsed = AccessLogCounter.of(canned);
    assertThat(parsed.size()).isEqualTo(2);
    assertThat(parsed.entries().get(0).ns()).hasValue("upstream.test:5000");
    assertThat(parsed.entries().get(0).status()).isEqualTo(404);
    assertThat(parsed.entries().get(1).bytes()).isZero();
    assertThat(parsed.count("GET", "/v2/library/x/blobs/sha256:ab")).isEqualTo(1);
    assertThat(parsed.from(1).size()).isEqualTo(1);
  }

  /** Monolithic upload of a blob; returns its GET URL. */
  private String upload(DockerRegistry registry, String repo, BlobFile blob) {
    Http.Response started = http.post(registry.url() + "/v2/" + repo + "/blobs/uploads/", new byte[0]);
    assertThat(started.status()).isEqualTo(202);
    String location = Http.resolve(registry.url() + "/v2/", started.header("Location").orElseThrow());
    String put = location + (location.contains("?") ? "&" : "?") + "digest=" + blob.digest();
    assertThat(http.putFile(put, blob.path(), "Content-Type", "application/octet-stream").status()).isEqualTo(201);
    return registry.url() + "/v2/" + repo + "/blobs/" + blob.digest();
  }

  /** GET over a fresh connection with {@code Connection: close}; the whole response as text. */
  private static String rawGet(String hostPort, String path, int timeoutMillis) throws IOException {
    String[] hp = hostPort.split(":");
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1])), 5000);
      s.setSoTimeout(timeoutMillis);
      send(s, "GET " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nConnection: close\r\n\r\n");
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  /** Reads a response head up to the blank line, without reading past it. */
  private static String readHead(InputStream in) throws IOException {
    var b = new StringBuilder();
    while (!b.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (in) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return "sha256:" + HexFormat.of().formatHex(md.digest());
  }
}

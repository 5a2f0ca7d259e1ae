package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.FreezableForwarder;
import io.wharf.proxy.it.fixture.Http;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Ports;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.WharfCli;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 4 of issue 5: {@code wharf gc} removes exactly the unreferenced blobs, with a dry run
 * first that removes nothing, while a pull-through fetch is held in flight by a frozen upstream; the
 * in-flight blob survives, completes once the upstream thaws, and is served byte-exact.
 */
final class GarbageCollectionIT {
  private static final String HOST = "upstream.test:5000";
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  @TempDir Path tmp;
  private final Http http = Http.client(Duration.ofMinutes(2));

  @Test
  void removesExactlyTheUnreferencedBlobsWhileAFetchIsInFlight() throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 41);
    ImageInfo kept = images.single("kept", List.of(300_000L, 200_000L));
    ImageInfo slow = images.single("slow", List.of(24_000_000L));
    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    try (DockerRegistry upstream = DockerRegistry.start(tmp.resolve("upstream"));
        FreezableForwarder forwarder = FreezableForwarder.to(upstream.port())) {
      for (String name : List.of("kept", "slow")) {
        skopeo.copy(images.ociRef(name), "docker://" + upstream.hostPort() + "/library/" + name + ":1", "--preserve-digests");
      }
      var launcher = WharfProcess.on(tmp.resolve("data")).workDir(tmp.resolve("wharf")).port(Ports.free())
          .storage("gcGrace", "0s")
          .upstreams("upstreams:\n  - {name: hub, host: '" + HOST + "', url: '" + forwarder.url() + "', tagTtl: 1h}\n"
              + "pullThrough:\n  readTimeout: 5m\n");
      try (WharfProcess wharf = launcher.start()) {
        String base = wharf.url() + "/v2/";
        skopeo.copy("docker://" + wharf.hostPort() + "/hub/library/kept:1", "dir:" + tmp.resolve("kept"),
            "--src-tls-verify=false");
        // three blobs pushed into a local project with no manifest: nothing references them
        Set<String> junk = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
          byte[] bytes = new byte[50_000 + i];
          new SplittableRandom(i).nextBytes(bytes);
          String digest = sha256(bytes);
          var r = http.post(base + "spectro-images/junk/blobs/uploads/?digest=" + digest, bytes,
              "Content-Type", "application/octet-stream", "Authorization", wharf.adminAuthorization());
          assertThat(r.status()).as(r.bodyText()).isEqualTo(201);
          junk.add(digest);
        }
        Path blobs = wharf.dataDir().resolve("docker/registry/v2/blobs");

        // the slow image's manifest is cached, and its 24 MB layer is held mid-fetch by the frozen upstream
        String layer = slow.blobs(ImageInfo.Kind.LAYER).get(0).digest();
        assertThat(http.get(base + "hub/library/slow/manifests/1", "Accept", SyntheticImages.MANIFEST_MEDIA_TYPE).status())
            .isEqualTo(200);
        CompletableFuture<Http.Streamed> inFlight = CompletableFuture.supplyAsync(
            () -> http.getStreamed(base + "hub/library/slow/blobs/" + layer));
        // a fetch writes into an upload session of the repository: repositories/<name>/_uploads/<id>/data
        awaitUploadBytes(wharf.dataDir().resolve("docker/registry/v2/repositories"), 1_000_000);
        forwarder.freeze();
        try {
          // what is committed now (the slow image's manifest and, if its fetch won, its config) stays
          Set<String> before = blobNames(blobs);
          assertThat(before).containsAll(junk).doesNotContain(layer);
          WharfCli cli = WharfCli.in(tmp.resolve("cli"));
          String dry = cli.run("gc", "--config", wharf.configFile().toString(), "--dry-run").output();
          assertThat(digests(dry)).as(dry).isEqualTo(junk);
          assertThat(blobNames(blobs)).isEqualTo(before);

          String real = cli.run("gc", "--config", wharf.configFile().toString()).output();

          assertThat(digests(real)).as(real).isEqualTo(junk);
          Set<String> expected = new TreeSet<>(before);
          expected.removeAll(junk);
          assertThat(blobNames(blobs)).isEqualTo(expected);
          assertThat(inFlight).isNotDone();
        } finally {
          forwarder.thaw();
        }
        Http.Streamed got = inFlight.get();
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.bodyDigest()).isEqualTo(layer);
        awaitBlob(blobs, layer);
        // everything the kept image needs is still there, and served
        skopeo.copy("docker://" + wharf.hostPort() + "/hub/library/kept:1", "dir:" + tmp.resolve("kept-again"),
            "--src-tls-verify=false");
        assertThat(http.get(base + "spectro-images/junk/blobs/" + junk.iterator().next()).status()).isEqualTo(404);
      }
    }
  }

  private static Set<String> digests(String output) {
    Set<String> out = new TreeSet<>();
    Matcher m = DIGEST.matcher(output);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static void awaitUploadBytes(Path dir, long bytes) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      long n = 0;
      if (Files.isDirectory(dir)) {
        try (Stream<Path> walk = Files.walk(dir)) {
          n = walk.filter(p -> p.toString().contains("/_uploads/") && Files.isRegularFile(p))
              .mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.UncheckedIOException e) {
          n = 0;
        }
      }
      if (n >= bytes) {
        return;
      }
      assertThat(System.nanoTime()).as("%d bytes in %s", n, dir).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static void awaitBlob(Path blobs, String digest) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!blobNames(blobs).contains(digest)) {
      assertThat(System.nanoTime()).as("%s committed", digest).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static Set<String> blobNames(Path blobs) throws IOException {
    try (Stream<Path> walk = Files.walk(blobs)) {
      Set<String> out = new TreeSet<>();
      walk.filter(p -> p.getFileName().toString().equals("data"))
          .forEach(p -> out.add("sha256:" + p.getParent().getFileName()));
      return out;
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}

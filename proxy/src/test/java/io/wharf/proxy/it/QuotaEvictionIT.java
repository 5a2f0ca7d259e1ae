package io.wharf.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.proxy.it.fixture.DockerRegistry;
import io.wharf.proxy.it.fixture.ImageInfo;
import io.wharf.proxy.it.fixture.Ports;
import io.wharf.proxy.it.fixture.Skopeo;
import io.wharf.proxy.it.fixture.SyntheticImages;
import io.wharf.proxy.it.fixture.SyntheticImages.SharedLayer;
import io.wharf.proxy.it.fixture.WharfCli;
import io.wharf.proxy.it.fixture.WharfProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3 of issue 5: with a small quota, pulling images past it evicts the least recently
 * pulled unpinned images, in the background; the pinned image survives; usage ends between the low
 * and high marks; a kept image that shares a layer with an evicted one is still whole.
 *
 * <p>The quota is computed from the images' real sizes so that the pull of {@code s2} crosses the
 * high mark: eviction must then remove {@code s1} (its own layer only: the base stays for {@code s2})
 * and {@code a}, in that order, and stop below the low mark; {@code c} then fits under the high mark.
 */
final class QuotaEvictionIT {
  private static final String HOST = "upstream.test:5000";
  private static final long M = 1_000_000;

  @TempDir Path tmp;

  @Test
  void evictsTheLeastRecentlyPulledUnpinnedImagesDownToTheLowMarkAndKeepsSharedLayers() throws Exception {
    var images = SyntheticImages.in(tmp.resolve("src"), 31);
    Map<String, ImageInfo> byName = new LinkedHashMap<>();
    byName.put("p", images.shared("p", List.of(new SharedLayer("p", M))));
    byName.put("s1", images.shared("s1", List.of(new SharedLayer("base", M / 2), new SharedLayer("s1", M / 2))));
    byName.put("a", images.shared("a", List.of(new SharedLayer("a", M))));
    byName.put("b", images.shared("b", List.of(new SharedLayer("b", M))));
    byName.put("s2", images.shared("s2", List.of(new SharedLayer("base", M / 2), new SharedLayer("s2", M / 2))));
    byName.put("c", images.shared("c", List.of(new SharedLayer("c", M))));
    long before = distinctBytes(byName, List.of("p", "s1", "a", "b"));
    long after = distinctBytes(byName, List.of("p", "s1", "a", "b", "s2"));
    long high = (before + after) / 2;
    long quota = Math.round(high / 0.9);
    long low = Math.round(quota * 0.8);
    // the scenario the numbers must give: s1 alone is not enough, s1 and a are
    long withoutS1 = distinctBytes(byName, List.of("p", "a", "b", "s2"));
    long withoutS1AndA = distinctBytes(byName, List.of("p", "b", "s2"));
    long end = distinctBytes(byName, List.of("p", "b", "s2", "c"));
    assertThat(withoutS1).isGreaterThan(low);
    assertThat(withoutS1AndA).isLessThanOrEqualTo(low);
    assertThat(end).isBetween(low, high);

    Skopeo skopeo = Skopeo.in(tmp.resolve("skopeo"));
    try (DockerRegistry upstream = DockerRegistry.start(tmp.resolve("upstream"))) {
      for (String name : byName.keySet()) {
        skopeo.copy(images.ociRef(name), "docker://" + upstream.hostPort() + "/library/" + name + ":1", "--preserve-digests");
      }
      var launcher = WharfProcess.on(tmp.resolve("data")).workDir(tmp.resolve("wharf")).port(Ports.free())
          .storage("quota", Long.toString(quota))
          .storage("highWater", "0.9")
          .storage("lowWater", "0.8")
          .upstreams("upstreams:\n  - {name: hub, host: '" + HOST + "', url: '" + upstream.url() + "', tagTtl: 1h}\n");
      try (WharfProcess wharf = launcher.start()) {
        WharfCli cli = WharfCli.in(tmp.resolve("cli"));
        Path blobs = wharf.dataDir().resolve("docker/registry/v2/blobs");
        for (String name : byName.keySet()) {
          pull(skopeo, wharf, name);
          if (name.equals("p")) {
            cli.run("pin", "--config", wharf.configFile().toString(), HOST + "/library/p:1");
          }
          awaitAtMost(blobs, high);
        }

        assertThat(usage(blobs)).isBetween(low, high);
        upstream.stop();
        for (String kept : List.of("p", "b", "s2", "c")) {
          // offline, so only whole images on disk can be copied
          pull(skopeo, wharf, kept);
        }
        for (String evicted : List.of("s1", "a")) {
          var r = skopeo.tryCopy("docker://" + wharf.hostPort() + "/hub/library/" + evicted + ":1",
              "dir:" + tmp.resolve("gone-" + evicted), "--src-tls-verify=false");
          assertThat(r.exitCode()).as("%s was evicted: %s", evicted, r.stderr()).isNotZero();
        }
        assertThat(blobNames(blobs)).containsAll(digests(byName.get("s2")));
        assertThat(blobNames(blobs)).doesNotContain(layer(byName.get("s1"), 1), layer(byName.get("a"), 0));
      }
    }
  }

  private void pull(Skopeo skopeo, WharfProcess wharf, String name) {
    skopeo.copy("docker://" + wharf.hostPort() + "/hub/library/" + name + ":1",
        "dir:" + tmp.resolve("pulled-" + name + "-" + System.nanoTime()), "--src-tls-verify=false");
  }

  private static void awaitAtMost(Path blobs, long bytes) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (usage(blobs) > bytes) {
      assertThat(System.nanoTime()).as("usage %d still above %d after 30 s", usage(blobs), bytes).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static long distinctBytes(Map<String, ImageInfo> images, List<String> names) {
    Map<String, Long> blobs = new LinkedHashMap<>();
    for (String n : names) {
      for (ImageInfo.Blob b : images.get(n).blobs()) {
        blobs.put(b.digest(), b.size());
      }
    }
    return blobs.values().stream().mapToLong(Long::longValue).sum();
  }

  private static Set<String> digests(ImageInfo image) {
    Set<String> out = new HashSet<>();
    image.blobs().forEach(b -> out.add(b.digest()));
    return out;
  }

  private static String layer(ImageInfo image, int i) {
    return image.blobs(ImageInfo.Kind.LAYER).get(i).digest();
  }

  private static long usage(Path blobs) throws IOException {
    try (Stream<Path> walk = Files.walk(blobs)) {
      return walk.filter(p -> p.getFileName().toString().equals("data")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static Set<String> blobNames(Path blobs) throws IOException {
    try (Stream<Path> walk = Files.walk(blobs)) {
      Set<String> out = new HashSet<>();
      walk.filter(p -> p.getFileName().toString().equals("data"))
          .forEach(p -> out.add("sha256:" + p.getParent().getFileName()));
      return out;
    }
  }
}

package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.manifest.Platform;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How wharf talks to every upstream: deadlines, retries, the negative cache, the circuit breaker,
 * and which platforms of a multi-platform image it completes in the background.
 *
 * @param tagCheckTimeout the deadline of a tag check against upstream (TTL expired); past it the
 *     cached copy is served, longer than 0s
 * @param negativeCacheTtl how long an upstream 404 for a never-seen tag or manifest is remembered;
 *     0 remembers none
 * @param connectTimeout the deadline of a TCP (and TLS) connect to an upstream, longer than 0s
 * @param readTimeout the longest an upstream response may stay silent between two reads, longer
 *     than 0s
 * @param retries how many times an idempotent upstream request is retried, with backoff, after the
 *     first attempt fails (0..10)
 * @param platforms the platforms whose manifests and blobs are fetched in the background when an
 *     index is first cached; empty means the host's own platform ({@link #effectivePlatforms()})
 * @param breaker the circuit breaker each upstream has
 */
public record PullThroughConfig(
    Duration tagCheckTimeout,
    Duration negativeCacheTtl,
    Duration connectTimeout,
    Duration readTimeout,
    int retries,
    List<Platform> platforms,
    BreakerConfig breaker) {
  /** The most retries a config may ask for: more only prolongs a failure. */
  static final int MAX_RETRIES = 10;

  public PullThroughConfig {
    requireNonNull(tagCheckTimeout, "tagCheckTimeout");
    requireNonNull(negativeCacheTtl, "negativeCacheTtl");
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(readTimeout, "readTimeout");
    platforms = List.copyOf(requireNonNull(platforms, "platforms"));
    requireNonNull(breaker, "breaker");
    requirePositive("tagCheckTimeout", tagCheckTimeout);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("readTimeout", readTimeout);
    if (negativeCacheTtl.isNegative()) {
      throw ConfigException.forKey("negativeCacheTtl", "cannot be negative");
    }
    if (retries < 0 || retries > MAX_RETRIES) {
      throw ConfigException.forKey(
          "retries", retries + " is not in 0.." + MAX_RETRIES + " (0 never retries)");
    }
    for (int i = 0; i < platforms.size(); i++) {
      if (platforms.indexOf(platforms.get(i)) != i) {
        throw ConfigException.forKey(
            "platforms[" + i + "]", "'" + platforms.get(i) + "' is listed twice");
      }
    }
  }

  /**
   * The platforms to complete in the background: {@link #platforms()}, or when that is empty the
   * platform of this host ({@code linux/amd64} on x86_64, {@code linux/arm64} on aarch64).
   */
  public List<Platform> effectivePlatforms() {
    return platforms.isEmpty() ? List.of(hostPlatform(System.getProperty("os.arch", ""))) : platforms;
  }

  /**
   * The image platform of a host whose JVM reports {@code os.arch}: always {@code linux} (the
   * images a cluster runs), with the architecture in the OCI image spec's words (GOARCH).
   */
  static Platform hostPlatform(String osArch) {
    String arch = osArch.toLowerCase(Locale.ROOT);
    return switch (arch) {
      case "amd64", "x86_64", "x64" -> new Platform("linux", "amd64", null);
      case "aarch64", "arm64" -> new Platform("linux", "arm64", null);
      case "arm", "armv7l", "aarch32" -> new Platform("linux", "arm", "v7");
      case "x86", "i386", "i486", "i586", "i686" -> new Platform("linux", "386", null);
      case "ppc64le", "s390x", "riscv64", "mips64le", "loong64" -> new Platform("linux", arch, null);
      case "loongarch64" -> new Platform("linux", "loong64", null);
      default -> new Platform("linux", arch.isEmpty() ? "amd64" : arch, null);
    };
  }

  private static void requirePositive(String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw ConfigException.forKey(key, "must be longer than 0s");
    }
  }
}

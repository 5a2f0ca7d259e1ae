package io.wharf.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The sizes of one bench run: what {@code seed} pushes and how much {@code run} moves. {@code
 * default} is the profile, {@code small} a quicker look at the same picture, {@code smoke}
 * the CI check that every scenario runs end to end.
 *
 * @param blobSizes the single-layer images of warm-blob, one per size
 * @param appLayerSizes the layers of each platform of {@code bench/app:1}
 * @param rounds rounds of every scenario; targets are interleaved within each round
 * @param volumeC1 bytes one warm-blob measurement moves at concurrency 1
 * @param volumeCn bytes one warm-blob measurement moves at the higher concurrency
 * @param manifestDuration length of one manifest measurement
 * @param imagePullDuration length of one image-pull measurement
 * @param coldSizes fresh blob sizes of cold-pull
 * @param herdClients client counts of herd
 * @param herdSize fresh blob size of herd
 */
public record Profile(String name, List<Long> blobSizes, List<Long> appLayerSizes, int rounds,
    long volumeC1, long volumeCn, Duration manifestDuration, Duration imagePullDuration,
    List<Long> coldSizes, List<Integer> herdClients, long herdSize) {

  public static final long KIB = 1024;
  public static final long MIB = 1024 * KIB;
  public static final long GIB = 1024 * MIB;

  /** Warm-blob concurrencies. */
  public static final List<Integer> WARM_CONCURRENCY = List.of(1, 16);
  /** Concurrent clients of a manifest measurement. */
  public static final int MANIFEST_CONCURRENCY = 64;
  /** Concurrent pullers of image-pull, and the layers each fetches at once (as containerd does). */
  public static final int IMAGE_PULLERS = 4;
  public static final int LAYERS_AT_ONCE = 3;

  /** About 20 MiB per platform, layers between 1 KiB and 8 MiB, as a small application image. */
  private static final List<Long> APP_LAYERS = List.of(1_100L, 49_000L, 1_050_000L, 3_200_000L,
      7_900_000L, 8 * MIB);
  private static final List<Long> TINY_APP_LAYERS = List.of(1_100L, 20_000L, 300_000L);

  public static final Profile DEFAULT = new Profile("default", List.of(4 * MIB, 100 * MIB, GIB), APP_LAYERS,
      5, 2 * GIB, 6 * GIB, Duration.ofSeconds(3), Duration.ofSeconds(10), List.of(GIB, 64 * MIB),
      List.of(16, 50), 256 * MIB);
  public static final Profile SMALL = new Profile("small", List.of(4 * MIB, 32 * MIB, 256 * MIB), APP_LAYERS,
      3, 512 * MIB, 1536 * MIB, Duration.ofSeconds(2), Duration.ofSeconds(5), List.of(256 * MIB, 64 * MIB),
      List.of(16, 50), 64 * MIB);
  public static final Profile SMOKE = new Profile("smoke", List.of(MIB, 2 * MIB, 4 * MIB), TINY_APP_LAYERS,
      1, 8 * MIB, 8 * MIB, Duration.ofMillis(500), Duration.ofSeconds(1), List.of(4 * MIB),
      List.of(4), 4 * MIB);

  public Profile {
    blobSizes = List.copyOf(blobSizes);
    appLayerSizes = List.copyOf(appLayerSizes);
    coldSizes = List.copyOf(coldSizes);
    herdClients = List.copyOf(herdClients);
  }

  /** default, small or smoke. */
  public static Profile named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "default" -> DEFAULT;
      case "small" -> SMALL;
      case "smoke" -> SMOKE;
      default -> throw new IllegalArgumentException("unknown profile '" + name + "' (default, small, smoke)");
    };
  }

  public Profile withRounds(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("rounds must be at least 1");
    }
    return new Profile(name, blobSizes, appLayerSizes, n, volumeC1, volumeCn, manifestDuration,
        imagePullDuration, coldSizes, herdClients, herdSize);
  }

  /** "4 MiB", "100 MiB", "1 GiB", "1.1 KiB": for names and report rows. */
  public static String sizeLabel(long bytes) {
    if (bytes >= GIB && bytes % GIB == 0) {
      return bytes / GIB + " GiB";
    }
    if (bytes >= MIB && bytes % MIB == 0) {
      return bytes / MIB + " MiB";
    }
    if (bytes >= MIB) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }
    if (bytes >= KIB) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) KIB);
    }
    return bytes + " B";
  }

  /** "4m", "100m", "1g": the repository suffix of a warm-blob image. */
  public static String shortSize(long bytes) {
    if (bytes % GIB == 0) {
      return bytes / GIB + "g";
    }
    if (bytes % MIB == 0) {
      return bytes / MIB + "m";
    }
    if (bytes % KIB == 0) {
      return bytes / KIB + "k";
    }
    return bytes + "b";
  }
}

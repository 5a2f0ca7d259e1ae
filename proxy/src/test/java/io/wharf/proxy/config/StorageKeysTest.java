package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.proxy.config.DataSize.Unit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage keys of issue 5: quota, water marks, GC grace, preload folder, import project. */
final class StorageKeysTest {
  private static final Path WORKING_DIRECTORY = Path.of("/srv/wharf");

  @TempDir Path dir;

  @Test
  void defaultsMeanNoQuotaNoPreloadAndTheSpectroImagesProject() {
    StorageConfig storage = load(Optional.empty(), Map.of()).storage();

    assertThat(storage.quota()).isEqualTo(DataSize.ofBytes(0));
    assertThat(storage.hasQuota()).isFalse();
    assertThat(storage.highWaterBytes()).isEqualTo(Long.MAX_VALUE);
    assertThat(storage.highWater()).isEqualTo(0.90);
    assertThat(storage.lowWater()).isEqualTo(0.80);
    assertThat(storage.gcGrace()).isEqualTo(Duration.ofHours(1));
    assertThat(storage.preload()).isNull();
    assertThat(storage.importProject()).isEqualTo("spectro-images");
    assertThat(storage.statsFlushInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void quotaAndMarksGiveTheEvictionThresholdsInBytes() throws IOException {
    StorageConfig storage = load("storage:\n  quota: 100MiB\n  highWater: 0.5\n  lowWater: 0.25\n").storage();

    assertThat(storage.hasQuota()).isTrue();
    assertThat(storage.highWaterBytes()).isEqualTo(50L * 1024 * 1024);
    assertThat(storage.lowWaterBytes()).isEqualTo(25L * 1024 * 1024);
  }

  @Test
  void environmentSetsTheNewKeys() {
    StorageConfig storage =
        load(
                Optional.empty(),
                Map.of(
                    "WHARF_STORAGE_QUOTA", "2GB",
                    "WHARF_STORAGE_HIGH_WATER", "0.85",
                    "WHARF_STORAGE_GC_GRACE", "30m",
                    "WHARF_STORAGE_PRELOAD", "bundles"))
            .storage();

    assertThat(storage.quota()).isEqualTo(DataSize.of(2, Unit.GB));
    assertThat(storage.highWater()).isEqualTo(0.85);
    assertThat(storage.gcGrace()).isEqualTo(Duration.ofMinutes(30));
    assertThat(storage.preload()).isEqualTo(Path.of("/srv/wharf/bundles"));
  }

  @Test
  void anEmptyPreloadMeansNone() throws IOException {
    assertThat(load("storage:\n  preload: \"\"\n").storage().preload()).isNull();
    assertThat(load("storage:\n  preload: /media/usb\n").storage().preload()).isEqualTo(Path.of("/media/usb"));
  }

  @Test
  void badValuesNameTheirKey() {
    assertFails("storage:\n  quota: 300G\n", "storage.quota", "as a size");
    assertFails("storage:\n  highWater: 1.5\n", "storage.highWater", "at most 1");
    assertFails("storage:\n  highWater: 0\n", "storage.highWater", "above 0");
    assertFails("storage:\n  lowWater: 0.95\n", "storage.lowWater", "below highWater");
    assertFails("storage:\n  highWater: lots\n", "storage.highWater", "lots");
    assertFails("storage:\n  gcGrace: soon\n", "storage.gcGrace", "as a duration");
    assertFails("storage:\n  importProject: \"\"\n", "storage.importProject", "local project");
    assertFails("storage:\n  statsFlushInterval: 0\n", "storage.statsFlushInterval", "longer than 0s");
  }

  @Test
  void theImportProjectMustBeALocalProjectWhenAnImportNeedsIt() throws IOException {
    WharfConfig config = load("storage:\n  importProject: elsewhere\n");

    assertThat(load("").requireImportProject().name()).isEqualTo("spectro-images");
    assertThatThrownBy(config::requireImportProject)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("storage.importProject")
        .hasMessageContaining("'elsewhere' is not a configured local project");
  }

  private void assertFails(String yaml, String key, String problem) {
    assertThatThrownBy(() -> load(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(problem);
  }

  private WharfConfig load(String yaml) throws IOException {
    return load(Optional.of(Files.writeString(Files.createTempFile(dir, "wharf", ".yaml"), yaml)), Map.of());
  }

  private static WharfConfig load(Optional<Path> file, Map<String, String> env) {
    return ConfigLoader.load(file, env, WORKING_DIRECTORY);
  }
}

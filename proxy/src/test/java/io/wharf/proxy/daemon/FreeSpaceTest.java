package io.wharf.proxy.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class FreeSpaceTest {
  private static final Path DATA = Path.of("/var/lib/wharf");

  @Test
  void warnsWhenTheFileSystemHasLessFreeSpaceThanTheQuota() {
    assertThat(FreeSpace.warning(300L << 30, 120L << 30, DATA)).hasValue(
        "the file system of /var/lib/wharf has 120.0 GiB free, less than storage.quota (300.0 GiB):"
            + " the disk may fill before eviction starts");
  }

  @Test
  void saysNothingWhenTheQuotaFitsOrThereIsNone() {
    assertThat(FreeSpace.warning(300L << 30, 300L << 30, DATA)).isEmpty();
    assertThat(FreeSpace.warning(0, 1, DATA)).isEmpty();
  }
}

package io.wharf.storage.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

final class StorageFailureTest {
  @Test
  void aFullDiskIsUnavailableForTheClient() {
    RuntimeException e = StorageFailure.of("cannot write x", new FileSystemException("/data/x: No space left on device"));
    assertThat(e).isInstanceOf(OciException.class);
    assertThat(((OciException) e).error()).isEqualTo(OciError.UNAVAILABLE);
    assertThat(((OciException) e).status()).isEqualTo(503);
  }

  @Test
  void aQuotaIsUnavailableToo() {
    RuntimeException e = StorageFailure.of("cannot write x", new IOException("Disk quota exceeded"));
    assertThat(((OciException) e).error()).isEqualTo(OciError.UNAVAILABLE);
  }

  @Test
  void otherFailuresStayIoErrors() {
    assertThat(StorageFailure.of("cannot write x", new IOException("Input/output error")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("cannot write x");
  }
}

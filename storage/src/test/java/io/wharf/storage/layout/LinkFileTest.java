package io.wharf.storage.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LinkFileTest {
  private static final Digest DIGEST = Digest.sha256Of(new byte[] {1, 2, 3});

  @TempDir Path dir;

  @Test
  void writesExactlyTheDigestWithoutNewline() throws Exception {
    Path link = dir.resolve("repo/_layers/sha256/x/link");

    LinkFile.write(link, DIGEST, dir.resolve("tmp"));

    assertThat(Files.readAllBytes(link)).isEqualTo(DIGEST.toString().getBytes(StandardCharsets.US_ASCII));
    assertThat(LinkFile.read(link)).contains(DIGEST);
    assertThat(dir.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void readsAMissingOrGarbledLinkAsEmpty() throws Exception {
    Path link = dir.resolve("link");
    assertThat(LinkFile.read(link)).isEmpty();

    Files.writeString(link, "sha256:not-hex");
    assertThat(LinkFile.read(link)).isEmpty();

    Files.write(link, new byte[4096]);
    assertThat(LinkFile.read(link)).isEmpty();
  }

  @Test
  void readsALinkWithATrailingNewlineAsOtherToolsMayWriteIt() throws Exception {
    Path link = dir.resolve("link");
    Files.writeString(link, DIGEST + "\n");

    assertThat(LinkFile.read(link)).contains(DIGEST);
  }
}

package io.wharf.storage.layout;

import io.wharf.oci.Digest;
import io.wharf.oci.OciException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** A distribution {@code link} file: the text of one digest, nothing else (no newline). */
public final class LinkFile {
  private LinkFile() {}

  /** The digest a link file holds, or empty when the file does not exist or is not a digest. */
  public static Optional<Digest> read(Path link) {
    try {
      byte[] bytes = Files.readAllBytes(link);
      if (bytes.length > 200) {
        return Optional.empty();
      }
      return Optional.of(Digest.parse(new String(bytes, StandardCharsets.US_ASCII).trim()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (OciException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + link, e);
    }
  }

  /** Writes a link atomically and durably. */
  public static void write(Path link, Digest digest, Path tmpDir) {
    AtomicFiles.write(link, digest.toString().getBytes(StandardCharsets.US_ASCII), tmpDir);
  }
}

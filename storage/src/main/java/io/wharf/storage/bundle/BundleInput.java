package io.wharf.storage.bundle;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * Opens a bundle by what it holds, never by its name: a folder is an OCI image layout (it must have
 * {@code oci-layout} or {@code index.json}); a file is a tar when {@code ustar} sits at offset 257,
 * or zstd (magic {@code 28 B5 2F FD}) or gzip ({@code 1F 8B}) around a tar. Compressed files are
 * decompressed as a stream; nothing is unpacked to disk.
 */
final class BundleInput {
  private static final byte[] ZSTD = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD};
  private static final byte[] GZIP = {0x1F, (byte) 0x8B};
  private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);
  private static final int USTAR_OFFSET = 257;
  private static final int BUFFER = 256 * 1024;

  private BundleInput() {}

  /**
   * @param raw wraps the file's raw stream (tests use it to interrupt a read)
   * @param rawBytes told of every raw byte read from the bundle, for a progress bar over its size
   * @throws OciException UNSUPPORTED naming the file when it is none of the above
   */
  static BundleEntries open(Path path, UnaryOperator<InputStream> raw, LongConsumer rawBytes) throws IOException {
    if (Files.isDirectory(path)) {
      if (!Files.isRegularFile(path.resolve("index.json")) && !Files.isRegularFile(path.resolve("oci-layout"))) {
        throw new OciException(OciError.UNSUPPORTED,
            "folder " + path + " is not an OCI image layout: it has neither oci-layout nor index.json");
      }
      return new FolderEntries(path, rawBytes);
    }
    if (!Files.isRegularFile(path)) {
      throw new OciException(OciError.UNSUPPORTED, "bundle " + path + " does not exist or is not a file or folder");
    }
    InputStream file = raw.apply(new CountingInputStream(Files.newInputStream(path), rawBytes));
    try {
      BufferedInputStream in = new BufferedInputStream(file, BUFFER);
      byte[] head = peek(in, USTAR_OFFSET + USTAR.length);
      if (startsWith(head, ZSTD)) {
        BufferedInputStream tar = new BufferedInputStream(new ZstdInputStreamNoFinalizer(in), BUFFER);
        requireTar(tar, path, "zstd-compressed");
        return new TarEntries(tar, file, "zstd-compressed tar");
      }
      if (startsWith(head, GZIP)) {
        BufferedInputStream tar = new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        requireTar(tar, path, "gzip-compressed");
        return new TarEntries(tar, file, "gzip-compressed tar");
      }
      if (isTar(head)) {
        return new TarEntries(in, file, "tar");
      }
      throw new OciException(OciError.UNSUPPORTED,
          "bundle " + path + " is not an OCI layout folder, a tar, or a zstd- or gzip-compressed tar (read by content: "
              + "its first bytes are none of these)");
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  private static void requireTar(BufferedInputStream in, Path path, String compression) throws IOException {
    byte[] head;
    try {
      head = peek(in, USTAR_OFFSET + USTAR.length);
    } catch (IOException e) {
      throw new OciException(OciError.UNSUPPORTED, "bundle " + path + " is " + compression + " but cannot be decompressed: " + e.getMessage());
    }
    if (!isTar(head)) {
      throw new OciException(OciError.UNSUPPORTED, "bundle " + path + " is " + compression + " but does not hold a tar");
    }
  }

  private static boolean isTar(byte[] head) {
    return head.length >= USTAR_OFFSET + USTAR.length
        && Arrays.equals(head, USTAR_OFFSET, USTAR_OFFSET + USTAR.length, USTAR, 0, USTAR.length);
  }

  private static boolean startsWith(byte[] head, byte[] magic) {
    return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
  }

  /** Up to {@code n} first bytes, leaving the stream where it was. */
  private static byte[] peek(BufferedInputStream in, int n) throws IOException {
    in.mark(n);
    byte[] b = in.readNBytes(n);
    in.reset();
    return b;
  }
}

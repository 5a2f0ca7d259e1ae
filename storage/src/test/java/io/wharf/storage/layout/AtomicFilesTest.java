package io.wharf.storage.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void writeCreatesParentsAndLeavesNoTempFile() throws Exception {
    Path tmp = dir.resolve("tmp");
    Path target = dir.resolve("a/b/c/file");

    AtomicFiles.write(target, new byte[] {1, 2, 3}, tmp);

    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void writeReplacesExistingContent() throws Exception {
    Path target = dir.resolve("file");
    Files.write(target, new byte[1000]);

    AtomicFiles.write(target, new byte[] {7}, dir.resolve("tmp"));

    assertThat(Files.readAllBytes(target)).containsExactly(7);
  }

  @Test
  void readersSeeTheOldOrTheNewContentNeverAMix() throws Exception {
    Path target = dir.resolve("file");
    byte[] a = new byte[256 * 1024];
    byte[] b = new byte[128 * 1024];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    AtomicFiles.write(target, a, dir.resolve("tmp"));
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> torn = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!done.get() && torn.get() == null) {
        try {
          byte[] seen = Files.readAllBytes(target);
          if (!Arrays.equals(seen, a) && !Arrays.equals(seen, b)) {
            torn.set("read " + seen.length + " bytes that are neither version");
          }
        } catch (Exception e) {
          torn.set("read failed: " + e);
        }
      }
    });
    reader.start();

    for (int i = 0; i < 40; i++) {
      AtomicFiles.write(target, i % 2 == 0 ? b : a, dir.resolve("tmp"));
    }
    done.set(true);
    reader.join();

    assertThat(torn.get()).isNull();
  }

  @Test
  void moveCreatesMissingParentsAndReplacesTheTarget() throws Exception {
    Path source = dir.resolve("src");
    Files.writeString(source, "new");
    Path target = dir.resolve("x/y/z/target");

    AtomicFiles.move(source, target);

    assertThat(target).hasContent("new");
    assertThat(source).doesNotExist();

    Path again = dir.resolve("src2");
    Files.writeString(again, "newer");
    AtomicFiles.move(again, target);
    assertThat(target).hasContent("newer");
  }

  @Test
  void createDirectoriesIsIdempotent() throws Exception {
    Path d = dir.resolve("p/q/r");

    AtomicFiles.createDirectories(d);
    AtomicFiles.createDirectories(d);

    assertThat(d).isDirectory();
  }

  @Test
  void deleteTreeRemovesEverythingUnderAFolderAndIsIdempotent() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("a/b"));
    Files.writeString(tree.resolve("a/b/f"), "x");
    Files.writeString(tree.resolve("g"), "y");

    AtomicFiles.deleteTree(tree);
    AtomicFiles.deleteTree(tree);

    assertThat(tree).doesNotExist();
    assertThat(dir).exists();
  }

  @Test
  void deleteTreeRemovesASingleFileAndIgnoresAMissingPath() throws Exception {
    Path file = dir.resolve("f");
    Files.writeString(file, "x");

    AtomicFiles.deleteTree(file);
    AtomicFiles.deleteTree(dir.resolve("never/was"));

    assertThat(file).doesNotExist();
  }

  @Test
  void deleteQuietlyIgnoresAMissingFile() {
    AtomicFiles.deleteQuietly(dir.resolve("missing"));

    assertThat(dir).isEmptyDirectory();
  }
}

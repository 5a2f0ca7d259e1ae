package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.config.AdminAccountConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminPasswordTest {
  private static final AdminAccountConfig GENERATED = new AdminAccountConfig(null);

  @TempDir Path data;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void firstStartGeneratesPrintsOnceAndKeepsBothFilesOwnerOnly() throws IOException {
    AdminPassword admin;
    try (LogCapture logs = new LogCapture()) {
      admin = AdminPassword.open(data, GENERATED, out);

      String password = AdminPassword.readPasswordFile(data).orElseThrow();
      assertThat(password).matches("[0-9A-Za-z]{24}");
      assertThat(Files.readString(AdminPassword.passwordFile(data))).isEqualTo(password + "\n");
      assertThat(mode(AdminPassword.passwordFile(data))).isEqualTo("rw-------");
      assertThat(mode(AdminPassword.hashFile(data))).isEqualTo("rw-------");
      assertThat(Files.readString(AdminPassword.hashFile(data)).strip()).startsWith("$2y$10$").doesNotContain(password);
      assertThat(admin.matches(password)).isTrue();
      assertThat(admin.matches(password + "x")).isFalse();
      assertThat(admin.fromConfig()).isFalse();

      String text = printed.toString(StandardCharsets.UTF_8);
      assertThat(occurrences(text, password)).isEqualTo(1);
      assertThat(text).contains(AdminPassword.passwordFile(data).toAbsolutePath().toString());
      // the logger says where the password is, never what it is
      assertThat(logs.lines()).isNotEmpty()
          .allSatisfy(line -> assertThat(line).doesNotContain(password))
          .anySatisfy(line -> assertThat(line).contains(AdminPassword.passwordFile(data).toAbsolutePath().toString()));
    }
  }

  @Test
  void restartReusesThePasswordAndPrintsNothing() {
    AdminPassword.open(data, GENERATED, out);
    String password = AdminPassword.readPasswordFile(data).orElseThrow();
    ByteArrayOutputStream second = new ByteArrayOutputStream();

    try (LogCapture logs = new LogCapture()) {
      AdminPassword again = AdminPassword.open(data, GENERATED, new PrintStream(second, true, StandardCharsets.UTF_8));

      assertThat(second.size()).isZero();
      assertThat(again.matches(password)).isTrue();
      assertThat(AdminPassword.readPasswordFile(data)).contains(password);
      assertThat(logs.lines()).allSatisfy(line -> assertThat(line).doesNotContain(password));
    }
  }

  @Test
  void configPasswordWinsRewritesTheHashAndRemovesTheGeneratedOne() throws IOException {
    AdminPassword.open(data, GENERATED, out);
    String generated = AdminPassword.readPasswordFile(data).orElseThrow();
    printed.reset();

    try (LogCapture logs = new LogCapture()) {
      AdminPassword admin = AdminPassword.open(data, new AdminAccountConfig("from-config-1"), out);

      assertThat(admin.fromConfig()).isTrue();
      assertThat(admin.matches("from-config-1")).isTrue();
      assertThat(admin.matches(generated)).isFalse();
      assertThat(Files.exists(AdminPassword.passwordFile(data))).isFalse();
      assertThat(AdminPassword.readPasswordFile(data)).isEmpty();
      assertThat(mode(AdminPassword.hashFile(data))).isEqualTo("rw-------");
      assertThat(printed.size()).isZero();
      assertThat(logs.lines()).allSatisfy(line -> assertThat(line).doesNotContain("from-config-1"));
    }
    // a restart with the same config password keeps the hash as it is; another one rewrites it
    String hash = Files.readString(AdminPassword.hashFile(data));
    AdminPassword.open(data, new AdminAccountConfig("from-config-1"), out);
    assertThat(Files.readString(AdminPassword.hashFile(data))).isEqualTo(hash);
    AdminPassword changed = AdminPassword.open(data, new AdminAccountConfig("from-config-2"), out);
    assertThat(Files.readString(AdminPassword.hashFile(data))).isNotEqualTo(hash);
    assertThat(changed.matches("from-config-2")).isTrue();
    assertThat(changed.matches("from-config-1")).isFalse();
  }

  @Test
  void resetWritesBothFilesAndTakesEffectAtOnce() throws IOException {
    AdminPassword admin = AdminPassword.open(data, GENERATED, out);
    String old = AdminPassword.readPasswordFile(data).orElseThrow();
    printed.reset();

    String fresh;
    try (LogCapture logs = new LogCapture()) {
      fresh = admin.reset();
      assertThat(logs.lines()).allSatisfy(line -> assertThat(line).doesNotContain(fresh));
    }

    assertThat(fresh).isNotEqualTo(old).matches("[0-9A-Za-z]{24}");
    assertThat(admin.matches(fresh)).isTrue();
    assertThat(admin.matches(old)).isFalse();
    assertThat(AdminPassword.readPasswordFile(data)).contains(fresh);
    assertThat(mode(AdminPassword.passwordFile(data))).isEqualTo("rw-------");
    assertThat(mode(AdminPassword.hashFile(data))).isEqualTo("rw-------");
    assertThat(printed.size()).isZero();
    assertThat(AdminPassword.open(data, GENERATED, out).matches(fresh)).isTrue();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void resetRefusesWhenConfigOwnsThePassword() throws IOException {
    AdminPassword admin = AdminPassword.open(data, new AdminAccountConfig("from-config"), out);
    String hash = Files.readString(AdminPassword.hashFile(data));

    assertThatThrownBy(admin::reset)
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.DENIED);
          assertThat(e.status()).isEqualTo(403);
        })
        .hasMessageContaining("auth.admin.password");
    assertThat(admin.matches("from-config")).isTrue();
    assertThat(Files.readString(AdminPassword.hashFile(data))).isEqualTo(hash);
    assertThat(Files.exists(AdminPassword.passwordFile(data))).isFalse();
  }

  @Test
  void offlineResetWritesAPasswordTheNextStartUses() {
    AdminPassword.open(data, GENERATED, out);
    String old = AdminPassword.readPasswordFile(data).orElseThrow();

    String fresh = AdminPassword.resetOffline(data, GENERATED);

    assertThat(AdminPassword.readPasswordFile(data)).contains(fresh);
    AdminPassword reopened = AdminPassword.open(data, GENERATED, out);
    assertThat(reopened.matches(fresh)).isTrue();
    assertThat(reopened.matches(old)).isFalse();
    assertThatThrownBy(() -> AdminPassword.resetOffline(data, new AdminAccountConfig("c")))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.DENIED));
  }

  @Test
  void aLostHashIsRemadeFromTheKeptPasswordWithoutPrinting() throws IOException {
    AdminPassword.open(data, GENERATED, out);
    String password = AdminPassword.readPasswordFile(data).orElseThrow();
    Files.delete(AdminPassword.hashFile(data));
    printed.reset();

    AdminPassword admin = AdminPassword.open(data, GENERATED, out);

    assertThat(admin.matches(password)).isTrue();
    assertThat(Files.exists(AdminPassword.hashFile(data))).isTrue();
    assertThat(printed.size()).isZero();
  }

  @Test
  void aMalformedHashFileIsAClearError() throws IOException {
    Files.writeString(AdminPassword.hashFile(data), "not a hash\n");

    assertThatThrownBy(() -> AdminPassword.open(data, GENERATED, out))
        .isInstanceOf(OciException.class)
        .hasMessageContaining(AdminPassword.hashFile(data).toString())
        .hasMessageContaining("no bcrypt hash");
    assertThat(printed.size()).isZero();
  }

  @Test
  void aWidenedModeIsTightenedAtStart() throws IOException {
    AdminPassword.open(data, GENERATED, out);
    Files.setPosixFilePermissions(AdminPassword.passwordFile(data), PosixFilePermissions.fromString("rw-r--r--"));

    AdminPassword.open(data, GENERATED, out);

    assertThat(mode(AdminPassword.passwordFile(data))).isEqualTo("rw-------");
  }

  @Test
  void interruptedWritesLeaveNoTempFilesAfterOpen() throws IOException {
    Files.writeString(data.resolve(".admin-password.1234.tmp"), "half");
    Files.writeString(data.resolve(".admin-password.hash.99.tmp"), "half");

    AdminPassword.open(data, GENERATED, out);

    assertThat(leftovers()).isEmpty();
  }

  @Test
  void readPasswordFileIsEmptyWithoutAFileAndCreatesTheDataFolder() {
    assertThat(AdminPassword.readPasswordFile(data)).isEmpty();
    Path nested = data.resolve("not/yet");
    AdminPassword.open(nested, GENERATED, out);
    assertThat(AdminPassword.readPasswordFile(nested)).isPresent();
  }

  private List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.list(data)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}

package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  @Test
  void hashIsBcryptCost10AndMatchesOnlyItsSecret() {
    String hash = PasswordHasher.hash("s3cret-pw");

    assertThat(hash).startsWith("$2y$10$").hasSize(60);
    assertThat(PasswordHasher.looksLikeHash(hash)).isTrue();
    assertThat(PasswordHasher.matches("s3cret-pw", hash)).isTrue();
    assertThat(PasswordHasher.matches("s3cret-pX", hash)).isFalse();
    assertThat(PasswordHasher.matches("", hash)).isFalse();
  }

  @Test
  void sameSecretHashesDifferentlyEachTime() {
    assertThat(PasswordHasher.hash("pw")).isNotEqualTo(PasswordHasher.hash("pw"));
  }

  @Test
  void malformedHashIsNoMatchNotAnException() {
    assertThat(PasswordHasher.matches("pw", "")).isFalse();
    assertThat(PasswordHasher.matches("pw", "garbage")).isFalse();
    assertThat(PasswordHasher.matches("pw", "$2y$10$" + "!".repeat(53))).isFalse();
    assertThat(PasswordHasher.looksLikeHash("$2y$10$short")).isFalse();
  }

  @Test
  void everyByteOfALongPasswordCounts() {
    // bcrypt itself reads only 72 bytes: these two differ after byte 80
    String a = "x".repeat(80) + "a";
    String b = "x".repeat(80) + "b";
    String hash = PasswordHasher.hash(a);

    assertThat(PasswordHasher.matches(a, hash)).isTrue();
    assertThat(PasswordHasher.matches(b, hash)).isFalse();
    assertThat(PasswordHasher.matches("x".repeat(72), hash)).isFalse();
  }

  @Test
  void nonAsciiPasswordsWork() {
    String pw = "pässwörd-✓";
    assertThat(PasswordHasher.matches(pw, PasswordHasher.hash(pw))).isTrue();
    assertThat(PasswordHasher.matches("passwort-✓", PasswordHasher.hash(pw))).isFalse();
  }

  @Test
  void generatedPasswordsAre24Base62CharactersAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String pw = PasswordHasher.generate();
      assertThat(pw).hasSize(24).matches("[0-9A-Za-z]{24}");
      seen.add(pw);
    }
    assertThat(seen).hasSize(1000);
  }
}

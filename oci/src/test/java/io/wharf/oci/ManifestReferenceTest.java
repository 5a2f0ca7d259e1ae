package io.wharf.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ManifestReferenceTest {
  private static final String SHA256 = "sha256:" + "a".repeat(64);

  @Test
  void parsesATag() {
    ManifestReference r = ManifestReference.parse("v1.0.0-rc_1");

    assertThat(r.isDigest()).isFalse();
    assertThat(r.tag()).isEqualTo(Tag.parse("v1.0.0-rc_1"));
    assertThat(r.digest()).isNull();
    assertThat(r).hasToString("v1.0.0-rc_1");
    assertThat(r).isEqualTo(ManifestReference.of(Tag.parse("v1.0.0-rc_1")));
  }

  @Test
  void parsesADigest() {
    ManifestReference r = ManifestReference.parse(SHA256);

    assertThat(r.isDigest()).isTrue();
    assertThat(r.digest()).isEqualTo(Digest.parse(SHA256));
    assertThat(r.tag()).isNull();
    assertThat(r).hasToString(SHA256);
    assertThat(r).isEqualTo(ManifestReference.of(Digest.parse(SHA256)));
  }

  @Test
  void aTagThatLooksLikeHexIsStillATag() {
    ManifestReference r = ManifestReference.parse("a".repeat(64));

    assertThat(r.isDigest()).isFalse();
    assertThat(r.tag()).isEqualTo(Tag.parse("a".repeat(64)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e", "a:b", ":", "sha256:" + "A"})
  void textWithAColonMustBeADigest(String text) {
    assertThatThrownBy(() -> ManifestReference.parse(text))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.DIGEST_INVALID));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".x", "-x", "a/b", "a@b"})
  void textWithoutAColonMustBeATag(String text) {
    assertThatThrownBy(() -> ManifestReference.parse(text))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.TAG_INVALID));
  }

  @Test
  void aTooLongTagIsAnInvalidTag() {
    assertThatThrownBy(() -> ManifestReference.parse("t".repeat(129)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.TAG_INVALID));
  }

  @Test
  void nullIsAnInvalidTag() {
    assertThatThrownBy(() -> ManifestReference.parse(null))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.TAG_INVALID));
  }

  @Test
  void holdsExactlyOneOfTagAndDigest() {
    Tag tag = Tag.parse("latest");
    Digest digest = Digest.parse(SHA256);

    assertThatThrownBy(() -> new ManifestReference(tag, digest)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ManifestReference(null, null)).isInstanceOf(IllegalArgumentException.class);
  }
}

package io.wharf.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

final class TagTest {
  private static final String TAG_ALPHABET = "aZ09_.-";

  // spec: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
  @ParameterizedTest
  @ValueSource(strings = {
    "latest", "v1.0.0-rc_1", "_x", "x", "X", "0", "_", "1.27", "3.20", "UPPER", "a--b..c__d", "sha256-abc.sig",
  })
  void acceptsTagsFromTheGrammar(String text) {
    Tag tag = Tag.parse(text);

    assertThat(tag.value()).isEqualTo(text);
    assertThat(tag).hasToString(text);
    assertThat(Tag.isTag(text)).isTrue();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
    ".x", "-x", "a/b", "a:b", "a@b", "a b", " a", "a ", "a\n", "a+b", "a%2Fb", "caf\u00e9", "\u00e9",
    "\u0130", "a\u0000", "\ud83d\udc33", "tag\u200b", "sha256:abc",
  })
  void rejectsTagsOutsideTheGrammar(String text) {
    assertThatThrownBy(() -> Tag.parse(text))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.TAG_INVALID);
          assertThat(e.status()).isEqualTo(400);
        });
    assertThat(Tag.isTag(text)).isFalse();
    if (text != null) {
      assertThatThrownBy(() -> new Tag(text)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void acceptsExactly128Characters() {
    assertThat(Tag.parse("a".repeat(128)).value()).hasSize(128);
    assertThat(Tag.parse("_" + "-".repeat(127)).value()).hasSize(128);
  }

  @Test
  void rejects129Characters() {
    assertThatThrownBy(() -> Tag.parse("a".repeat(129)))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.TAG_INVALID);
          assertThat(e.getMessage()).hasSizeLessThan(200);
        });
  }

  @Test
  void comparesByValue() {
    assertThat(Tag.parse("1.0")).isLessThan(Tag.parse("1.1"));
    assertThat(Tag.parse("latest")).isEqualTo(new Tag("latest"));
  }

  @RepeatedTest(100)
  void randomTextIsOnlyEverRejectedWithTagInvalid(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 300; i++) {
      String text = RandomStrings.next(r, r.nextInt(10) == 0 ? 200 : 20, TAG_ALPHABET);
      Supplier<String> why = () -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text);
      try {
        Tag tag = Tag.parse(text);
        assertThat(text).as(why).matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
        assertThat(Tag.parse(tag.value())).as(why).isEqualTo(tag);
      } catch (OciException e) {
        assertThat(e.error()).as(why).isEqualTo(OciError.TAG_INVALID);
        assertThat(text).as(why).doesNotMatch("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
      } catch (Throwable t) {
        fail(why.get() + " threw " + t, t);
      }
    }
  }
}

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

final class RepositoryNameTest {
  private static final String NAME_ALPHABET = "abz09._-/";
  private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

  // distribution/reference's name grammar: path-component ('/' path-component)*,
  // path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [._] | '__' | '-'+
  @ParameterizedTest
  @ValueSource(strings = {
    "a", "0", "library/ubuntu", "a/b/c", "foo_bar", "foo__bar", "foo-bar", "foo--bar", "foo---bar",
    "foo.bar", "f.o.o", "a-b_c.d__e", "spectro-images/team/app", "123", "9/8/7", "a0/b1.c2",
    "foo/foo_bar.com", "manifests/blobs/tags", "library/uploads-x", "x/v2",
  })
  void acceptsNamesFromTheGrammar(String text) {
    RepositoryName name = RepositoryName.parse(text);

    assertThat(name.value()).isEqualTo(text);
    assertThat(name).hasToString(text);
    assertThat(new RepositoryName(text)).isEqualTo(name);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
    "Foo", "foo/Bar", "FOO", "foo..bar", "foo___bar", "foo_.bar", "foo.-bar", "foo-_bar", ".foo",
    "foo.", "-foo", "foo-", "_foo", "foo_", "foo/", "/foo", "/", "foo//bar", ".", "..", "../etc",
    "a/../b", "a/./b", "a/..", "foo bar", " foo", "foo ", "foo%2Fbar", "foo\\bar", "foo:bar",
    "foo@bar", "foo\tbar", "foo\nbar", "foo\u0000bar", "caf\u00e9", "\u0131stanbul", "k\u212aelvin",
    "foo\uff0fbar", "foo\u2215bar", "a\u200bb", "\ud83d\udc33", "foo\ud800", "\uff41",
  })
  void rejectsNamesOutsideTheGrammar(String text) {
    assertThatThrownBy(() -> RepositoryName.parse(text))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.NAME_INVALID);
          assertThat(e.status()).isEqualTo(400);
        });
    if (text != null) {
      assertThatThrownBy(() -> new RepositoryName(text)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void acceptsExactly255Characters() {
    String single = "a".repeat(255);
    String nested = ("abcdefg/".repeat(32) + "x").substring(0, 255);
    if (nested.endsWith("/")) {
      nested = nested.substring(0, 254) + "z";
    }

    assertThat(RepositoryName.parse(single).value()).hasSize(255);
    assertThat(RepositoryName.parse(nested).value()).hasSize(255);
  }

  @Test
  void rejects256Characters() {
    assertThatThrownBy(() -> RepositoryName.parse("a".repeat(256)))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.NAME_INVALID);
          assertThat(e.getMessage()).contains("255");
        });
    assertThatThrownBy(() -> RepositoryName.parse("ab/".repeat(85) + "a"))
        .isInstanceOf(OciException.class);
  }

  @Test
  void rejectsHugeInputQuickly() {
    assertThatThrownBy(() -> RepositoryName.parse("a".repeat(10_000_000)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  @Test
  void projectIsTheFirstComponent() {
    assertThat(RepositoryName.parse("spectro-images/team/app").project()).isEqualTo("spectro-images");
    assertThat(RepositoryName.parse("library/ubuntu").project()).isEqualTo("library");
    assertThat(RepositoryName.parse("alpine").project()).isEqualTo("alpine");
  }

  @Test
  void componentsSplitOnSlashes() {
    assertThat(RepositoryName.parse("spectro-images/team/app").components())
        .containsExactly("spectro-images", "team", "app");
    assertThat(RepositoryName.parse("alpine").components()).containsExactly("alpine");
  }

  @Test
  void prefixedWithAddsAFirstComponent() {
    assertThat(RepositoryName.parse("nginx").prefixedWith("library")).isEqualTo(RepositoryName.parse("library/nginx"));
    assertThatThrownBy(() -> RepositoryName.parse("nginx").prefixedWith("Library"))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
    assertThatThrownBy(() -> RepositoryName.parse("a".repeat(250)).prefixedWith("library"))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
  }

  @Test
  void isComponentAcceptsOneComponentOnly() {
    assertThat(RepositoryName.isComponent("spectro-images")).isTrue();
    assertThat(RepositoryName.isComponent("a.b_c__d--e")).isTrue();
    assertThat(RepositoryName.isComponent("a/b")).isFalse();
    assertThat(RepositoryName.isComponent("")).isFalse();
    assertThat(RepositoryName.isComponent(null)).isFalse();
    assertThat(RepositoryName.isComponent("..")).isFalse();
    assertThat(RepositoryName.isComponent("A")).isFalse();
  }

  @Test
  void comparesByValue() {
    assertThat(RepositoryName.parse("a/b")).isLessThan(RepositoryName.parse("a/c"));
    assertThat(RepositoryName.parse("a").compareTo(RepositoryName.parse("a"))).isZero();
  }

  @RepeatedTest(100)
  void randomTextIsRejectedOnlyWithNameInvalidAndWhatParsesIsSafeAsAPath(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    int parsed = 0;
    for (int i = 0; i < 300; i++) {
      String text = r.nextInt(4) == 0
          ? RandomStrings.mutate(r, generate(r), NAME_ALPHABET)
          : RandomStrings.next(r, r.nextInt(10) == 0 ? 300 : 24, NAME_ALPHABET);
      Supplier<String> why = () -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text);
      try {
        RepositoryName name = RepositoryName.parse(text);
        parsed++;
        assertSafeAsPath(name, why);
        assertThat(RepositoryName.parse(name.value())).as(why).isEqualTo(name);
      } catch (OciException e) {
        assertThat(e.error()).as(why).isEqualTo(OciError.NAME_INVALID);
      } catch (Throwable t) {
        fail(why.get() + " threw " + t, t);
      }
    }
    // the alphabet is biased so that the invariants above are checked on real names
    assertThat(parsed).as(Seeds.describe(seed, info)).isPositive();
  }

  @RepeatedTest(100)
  void namesGeneratedFromTheGrammarParseAndRoundTrip(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 50; i++) {
      String text = generate(r);
      Supplier<String> why = () -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text);
      RepositoryName name;
      try {
        name = RepositoryName.parse(text);
      } catch (Throwable t) {
        throw new AssertionError(why.get() + " threw " + t, t);
      }
      assertThat(name.value()).as(why).isEqualTo(text);
      assertThat(String.join("/", name.components())).as(why).isEqualTo(text);
      assertThat(name.project()).as(why).isEqualTo(name.components().get(0));
      assertSafeAsPath(name, why);
    }
  }

  /** A name from the grammar, at most 255 characters. */
  private static String generate(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    int components = 1 + r.nextInt(r.nextInt(8) == 0 ? 20 : 4);
    for (int c = 0; c < components; c++) {
      if (c > 0) {
        b.append('/');
      }
      int runs = 1 + r.nextInt(4);
      for (int k = 0; k < runs; k++) {
        if (k > 0) {
          switch (r.nextInt(4)) {
            case 0 -> b.append('.');
            case 1 -> b.append('_');
            case 2 -> b.append("__");
            default -> b.append("-".repeat(1 + r.nextInt(3)));
          }
        }
        int len = 1 + r.nextInt(r.nextInt(10) == 0 ? 40 : 6);
        for (int j = 0; j < len; j++) {
          b.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
        }
      }
    }
    String s = b.length() > 255 ? b.substring(0, 255) : b.toString();
    // a cut can leave a separator or slash at the end: trim back to the last alphanumeric
    int end = s.length();
    while (ALNUM.indexOf(s.charAt(end - 1)) < 0) {
      end--;
    }
    return s.substring(0, end);
  }

  /** What keeps a storage path built from the name inside the data root. */
  private static void assertSafeAsPath(RepositoryName name, Supplier<String> why) {
    String v = name.value();
    assertThat(v).as(why).isNotEmpty().hasSizeLessThanOrEqualTo(RepositoryName.MAX_LENGTH);
    assertThat(v).as(why).doesNotStartWith("/").doesNotEndWith("/");
    assertThat(v.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
        || c == '/' || c == '-')).as(why).isTrue();
    for (String component : v.split("/", -1)) {
      assertThat(component).as(why).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..");
      assertThat(component).as(why).doesNotStartWith(".").doesNotStartWith("-");
    }
  }
}

package io.wharf.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ReferenceTest {
  private static final String SHA256 = "sha256:" + "f".repeat(64);
  private static final String SHA512 = "sha512:" + "f".repeat(128);
  private static final String REFERENCE_ALPHABET = "abZ09._-/:@[]";

  /** input, domain, path, tag, digest: after distribution/reference's reference_test.go. */
  static Stream<Arguments> validReferences() {
    return Stream.of(
        arguments("docker.io/library/nginx:1.27", "docker.io", "library/nginx", "1.27", null),
        arguments("localhost:5000/foo/bar@" + SHA256, "localhost:5000", "foo/bar", null, SHA256),
        arguments("localhost/foo", "localhost", "foo", null, null),
        arguments("127.0.0.1:5000/x", "127.0.0.1:5000", "x", null, null),
        arguments("[::1]:5000/x:tag", "[::1]:5000", "x", "tag", null),
        arguments("nginx", null, "nginx", null, null),
        arguments("library/nginx", null, "library/nginx", null, null),
        arguments("Upper/foo", "Upper", "foo", null, null),
        arguments("foo/bar:tag@" + SHA256, null, "foo/bar", "tag", SHA256),
        arguments("test_com", null, "test_com", null, null),
        arguments("test.com:tag", null, "test.com", "tag", null),
        arguments("test.com:5000", null, "test.com", "5000", null),
        arguments("test.com/repo:tag", "test.com", "repo", "tag", null),
        arguments("test:5000/repo", "test:5000", "repo", null, null),
        arguments("test:5000/repo:tag", "test:5000", "repo", "tag", null),
        arguments("test:5000/repo@" + SHA256, "test:5000", "repo", null, SHA256),
        arguments("test:5000/repo:tag@" + SHA256, "test:5000", "repo", "tag", SHA256),
        arguments("repo@" + SHA256, null, "repo", null, SHA256),
        arguments("lowercase:Uppercase", null, "lowercase", "Uppercase", null),
        arguments("a/".repeat(127) + "a:tag-puts-this-over-max", null, "a/".repeat(127) + "a",
            "tag-puts-this-over-max", null),
        arguments("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", null, null),
        arguments("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
            "some-long-tag", null),
        arguments("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
            "test.example.com", null),
        arguments("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null),
        arguments("xn--7o8h.com/myimage:xn--7o8h.com@" + SHA512, "xn--7o8h.com", "myimage", "xn--7o8h.com", SHA512),
        arguments("foo_bar.com:8080", null, "foo_bar.com", "8080", null),
        arguments("foo/foo_bar.com:8080", null, "foo/foo_bar.com", "8080", null),
        arguments("192.168.1.1", null, "192.168.1.1", null, null),
        arguments("192.168.1.1:tag", null, "192.168.1.1", "tag", null),
        arguments("192.168.1.1:5000", null, "192.168.1.1", "5000", null),
        arguments("localhost:5000", null, "localhost", "5000", null),
        arguments("192.168.1.1/repo", "192.168.1.1", "repo", null, null),
        arguments("192.168.1.1:5000/repo", "192.168.1.1:5000", "repo", null, null),
        arguments("[2001:db8::1]/repo", "[2001:db8::1]", "repo", null, null),
        arguments("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null),
        arguments("[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "repo", null, null),
        arguments("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", null),
        arguments("[2001:db8::1]:5000/repo@" + SHA256, "[2001:db8::1]:5000", "repo", null, SHA256),
        arguments("[2001:db8::1]:5000/repo:tag@" + SHA256, "[2001:db8::1]:5000", "repo", "tag", SHA256),
        arguments("[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", null, null),
        arguments("[::1]:5000/repo", "[::1]:5000", "repo", null, null),
        arguments("upstream.test:5000/library/alpine:3.20", "upstream.test:5000", "library/alpine", "3.20", null));
  }

  @ParameterizedTest
  @MethodSource("validReferences")
  void parsesTheDistributionTable(String input, String domain, String path, String tag, String digest) {
    Reference r = Reference.parse(input);

    assertThat(r.domain()).isEqualTo(domain);
    assertThat(r.path().value()).isEqualTo(path);
    assertThat(r.tag() == null ? null : r.tag().value()).isEqualTo(tag);
    assertThat(r.digest() == null ? null : r.digest().toString()).isEqualTo(digest);
    assertThat(r.name()).isEqualTo(domain == null ? path : domain + "/" + path);
    assertThat(r).hasToString(input);
    assertThat(Reference.parse(r.toString())).isEqualTo(r);
  }

  /** input, the error it fails with. */
  static Stream<Arguments> invalidReferences() {
    return Stream.of(
        arguments("", OciError.NAME_INVALID),
        arguments("foo:bar:baz", OciError.NAME_INVALID),
        arguments(":tag", OciError.NAME_INVALID),
        arguments(":justtag", OciError.NAME_INVALID),
        arguments("@" + SHA256, OciError.NAME_INVALID),
        arguments("foo/Bar", OciError.NAME_INVALID),
        arguments("Uppercase:tag", OciError.NAME_INVALID),
        arguments("test:5000/Uppercase/lowercase:tag", OciError.NAME_INVALID),
        arguments("a/".repeat(128) + "a:tag", OciError.NAME_INVALID),
        arguments("aa/asdf$$^/aa", OciError.NAME_INVALID),
        arguments("foo/", OciError.NAME_INVALID),
        arguments("/foo", OciError.NAME_INVALID),
        arguments("localhost:/foo", OciError.NAME_INVALID),
        arguments("local_host.com/foo", OciError.NAME_INVALID),
        arguments("-bad.com/foo", OciError.NAME_INVALID),
        arguments("bad-.com/foo", OciError.NAME_INVALID),
        arguments("a..com/foo", OciError.NAME_INVALID),
        arguments("host:123456/foo", OciError.NAME_INVALID),
        arguments("[2001:db8::1]:5000", OciError.NAME_INVALID),
        arguments("[fe80::1%eth0]:5000/repo", OciError.NAME_INVALID),
        arguments("[fe80::1%@invalidzone]:5000/repo", OciError.DIGEST_INVALID),
        arguments("[::1/repo", OciError.NAME_INVALID),
        arguments("../etc/passwd", OciError.NAME_INVALID),
        arguments("foo/../bar", OciError.NAME_INVALID),
        arguments("foo:", OciError.TAG_INVALID),
        arguments("foo:.tag", OciError.TAG_INVALID),
        arguments("foo:" + "t".repeat(129), OciError.TAG_INVALID),
        arguments("foo@", OciError.DIGEST_INVALID),
        arguments("foo@sha256:ffff", OciError.DIGEST_INVALID),
        arguments("validname@invaliddigest:" + "f".repeat(64), OciError.DIGEST_INVALID),
        arguments("foo@" + SHA256 + "@" + SHA256, OciError.DIGEST_INVALID),
        arguments("x".repeat(2000), OciError.NAME_INVALID));
  }

  @ParameterizedTest
  @MethodSource("invalidReferences")
  void rejectsInvalidReferencesNamingThePartThatIsWrong(String input, OciError expected) {
    assertThatThrownBy(() -> Reference.parse(input))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(expected));
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> Reference.parse(null))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
  }

  /** input, the normalised reference. */
  static Stream<Arguments> normalizedReferences() {
    return Stream.of(
        arguments("nginx", "docker.io/library/nginx:latest"),
        arguments("nginx:1.27", "docker.io/library/nginx:1.27"),
        arguments("nginx@" + SHA256, "docker.io/library/nginx@" + SHA256),
        arguments("nginx:1.27@" + SHA256, "docker.io/library/nginx:1.27@" + SHA256),
        arguments("user/app", "docker.io/user/app:latest"),
        arguments("library/nginx", "docker.io/library/nginx:latest"),
        arguments("docker.io/nginx", "docker.io/library/nginx:latest"),
        arguments("docker.io/library/nginx:1.27", "docker.io/library/nginx:1.27"),
        arguments("index.docker.io/nginx", "docker.io/library/nginx:latest"),
        arguments("index.docker.io/user/app:v1", "docker.io/user/app:v1"),
        arguments("ghcr.io/org/app@" + SHA256, "ghcr.io/org/app@" + SHA256),
        arguments("ghcr.io/app", "ghcr.io/app:latest"),
        arguments("localhost/app", "localhost/app:latest"),
        arguments("upstream.test:5000/library/alpine:3.20", "upstream.test:5000/library/alpine:3.20"),
        arguments("[::1]:5000/x", "[::1]:5000/x:latest"));
  }

  @ParameterizedTest
  @MethodSource("normalizedReferences")
  void normalisesTheWayDockerDoes(String input, String expected) {
    Reference r = Reference.parseNormalized(input);

    assertThat(r).hasToString(expected);
    assertThat(Reference.parseNormalized(r.toString())).isEqualTo(r);
  }

  @Test
  void normalisedDigestReferenceKeepsNoTag() {
    Reference r = Reference.parseNormalized("ghcr.io/org/app@" + SHA256);

    assertThat(r.tag()).isNull();
    assertThat(r.digest()).isEqualTo(Digest.parse(SHA256));
  }

  @Test
  void normalisingAFullLengthOneWordNameFailsWithNameInvalid() {
    assertThatThrownBy(() -> Reference.parseNormalized("a".repeat(250)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.NAME_INVALID));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "localhost", "localhost:5000", "a", "a.b.c", "A.example.COM", "127.0.0.1:5000", "xn--n3h.com", "[::1]",
    "[::1]:5000", "[2001:db8::1]:443", "a-b.c-d", "0.0.0.0:0",
  })
  void acceptsDomains(String text) {
    assertThat(Reference.isDomain(text)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", "-a.com", "a-.com", "a..b", ".a", "a.", "a:", ":5000", "a:123456", "a:50a", "a:1:2", "[::1", "[]",
    "[::1]x", "[::1]:", "[fe80::1%eth0]", "[::g]", "a_b.com", "a b", "caf\u00e9.com", "a/b",
  })
  void rejectsNonDomains(String text) {
    assertThat(Reference.isDomain(text)).isFalse();
  }

  @Test
  void constructorRefusesAnInvalidDomain() {
    RepositoryName path = RepositoryName.parse("foo");
    assertThatThrownBy(() -> new Reference("bad domain", path, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @RepeatedTest(100)
  void randomTextIsOnlyEverRejectedWithOciExceptionAndParsedReferencesRoundTrip(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      String text = candidate(r);
      Supplier<String> why = () -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text);
      try {
        Reference ref = Reference.parse(text);
        assertThat(Reference.parse(ref.toString())).as(why).isEqualTo(ref);
        assertThat(ref.domain() == null || Reference.isDomain(ref.domain())).as(why).isTrue();
      } catch (OciException e) {
        assertThat(e.error()).as(why)
            .isIn(OciError.NAME_INVALID, OciError.TAG_INVALID, OciError.DIGEST_INVALID);
      } catch (Throwable t) {
        fail(why.get() + " threw " + t, t);
      }
      try {
        Reference n = Reference.parseNormalized(text);
        assertThat(n.domain()).as(why).isNotNull();
        assertThat(n.tag() != null || n.digest() != null).as(why).isTrue();
        assertThat(Reference.parseNormalized(n.toString())).as(why).isEqualTo(n);
      } catch (OciException e) {
        assertThat(e.error()).as(why)
            .isIn(OciError.NAME_INVALID, OciError.TAG_INVALID, OciError.DIGEST_INVALID);
      } catch (Throwable t) {
        fail(why.get() + " (normalised) threw " + t, t);
      }
    }
  }

  /** Random text, or a reference assembled from random parts, sometimes with one edit. */
  private static String candidate(SplittableRandom r) {
    if (r.nextInt(3) == 0) {
      return RandomStrings.next(r, r.nextInt(20) == 0 ? 1100 : 40, REFERENCE_ALPHABET);
    }
    StringBuilder b = new StringBuilder();
    switch (r.nextInt(6)) {
      case 0 -> b.append("localhost:").append(r.nextInt(70_000)).append('/');
      case 1 -> b.append("registry.example.com/");
      case 2 -> b.append("[::1]:5000/");
      case 3 -> b.append("Upper/");
      case 4 -> b.append("index.docker.io/");
      default -> { }
    }
    b.append(RandomStrings.next(r, 12, "abc09._-/"));
    if (r.nextBoolean()) {
      b.append(':').append(RandomStrings.next(r, 10, "aZ09_.-"));
    }
    if (r.nextBoolean()) {
      b.append('@').append(r.nextBoolean() ? SHA256 : SHA512);
    }
    String text = b.toString();
    return r.nextBoolean() ? RandomStrings.mutate(r, text, REFERENCE_ALPHABET) : text;
  }
}

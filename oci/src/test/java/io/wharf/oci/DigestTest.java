package io.wharf.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

final class DigestTest {
  private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String EMPTY_SHA512 =
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
  private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String DIGEST_ALPHABET = "sha256512:0123456789abcdefABCDEF";

  @Test
  void parsesSha256() {
    Digest d = Digest.parse("sha256:" + EMPTY_SHA256);

    assertThat(d.algorithm()).isEqualTo(DigestAlgorithm.SHA256);
    assertThat(d.hex()).isEqualTo(EMPTY_SHA256);
    assertThat(d.prefix()).isEqualTo("e3");
    assertThat(d).hasToString("sha256:" + EMPTY_SHA256);
    assertThat(Digest.isDigest(d.toString())).isTrue();
  }

  @Test
  void parsesSha512() {
    Digest d = Digest.parse("sha512:" + EMPTY_SHA512);

    assertThat(d.algorithm()).isEqualTo(DigestAlgorithm.SHA512);
    assertThat(d.hex()).isEqualTo(EMPTY_SHA512);
    assertThat(d).hasToString("sha512:" + EMPTY_SHA512);
  }

  static Stream<String> invalidDigests() {
    String hex64 = EMPTY_SHA256;
    return Stream.of(
        "sha256:" + hex64.toUpperCase(Locale.ROOT),
        "sha256:" + hex64.substring(0, 63) + "A",
        "sha256:" + hex64.substring(1),
        "sha256:" + hex64 + "0",
        "sha256:" + EMPTY_SHA512,
        "sha512:" + hex64,
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha384:" + "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
        "SHA256:" + hex64,
        "sha256" + hex64,
        hex64,
        "sha256:",
        "sha256",
        ":" + hex64,
        ":",
        "sha256::" + hex64,
        "sha256:" + hex64.substring(0, 32) + ":" + hex64.substring(33),
        " sha256:" + hex64,
        "sha256:" + hex64 + " ",
        "sha256:" + hex64 + "\n",
        "sha256 :" + hex64,
        "sha256:" + hex64.substring(0, 63) + "g",
        "sha256:" + hex64.substring(0, 63) + "\u0660",
        "sha256:" + hex64.substring(0, 63) + "\uff41",
        "sha256+b64:" + hex64,
        "sha256:" + hex64 + "@sha256:" + hex64,
        "sha256:" + "0".repeat(10_000),
        "x".repeat(1_000_000));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @MethodSource("invalidDigests")
  void rejectsInvalidTextWithDigestInvalid(String text) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.DIGEST_INVALID);
          assertThat(e.status()).isEqualTo(400);
          // the message quotes the input, but never all of a huge one
          assertThat(e.getMessage()).startsWith("invalid digest: ").hasSizeLessThan(120);
        });
    assertThat(Digest.isDigest(text)).isFalse();
  }

  @Test
  void constructorRejectsWhatParseRejects() {
    assertThatThrownBy(() -> new Digest(DigestAlgorithm.SHA256, EMPTY_SHA256.toUpperCase(Locale.ROOT)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Digest(DigestAlgorithm.SHA512, EMPTY_SHA256))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Digest(DigestAlgorithm.SHA256, "../../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sha256OfMatchesKnownVectors() {
    assertThat(Digest.sha256Of(new byte[0])).hasToString("sha256:" + EMPTY_SHA256);
    assertThat(Digest.sha256Of("abc".getBytes(StandardCharsets.US_ASCII))).hasToString("sha256:" + ABC_SHA256);
    // the OCI empty descriptor's digest is the sha256 of "{}"
    assertThat(Digest.sha256Of("{}".getBytes(StandardCharsets.US_ASCII)))
        .hasToString("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  }

  @Test
  void digesterOfSha512MatchesKnownVector() {
    assertThat(Digester.of(DigestAlgorithm.SHA512).digest()).hasToString("sha512:" + EMPTY_SHA512);
  }

  @Test
  void findsOnlyRegisteredAlgorithms() {
    assertThat(DigestAlgorithm.find("sha256")).contains(DigestAlgorithm.SHA256);
    assertThat(DigestAlgorithm.find("sha512")).contains(DigestAlgorithm.SHA512);
    assertThat(DigestAlgorithm.find("SHA256")).isEmpty();
    assertThat(DigestAlgorithm.find("sha384")).isEmpty();
    assertThat(DigestAlgorithm.find("md5")).isEmpty();
    assertThat(DigestAlgorithm.find("")).isEmpty();
  }

  @Test
  void comparesByText() {
    Digest a = Digest.parse("sha256:" + "0".repeat(64));
    Digest b = Digest.parse("sha256:" + "f".repeat(64));
    Digest c = Digest.parse("sha512:" + "0".repeat(128));

    assertThat(a).isLessThan(b);
    assertThat(b).isLessThan(c);
    assertThat(a.compareTo(Digest.parse(a.toString()))).isZero();
  }

  @Test
  void digestResetsTheHasher() {
    Digester d = Digester.of(DigestAlgorithm.SHA256);
    d.update(new byte[] {1, 2, 3}, 0, 3);
    d.digest();

    d.update("abc".getBytes(StandardCharsets.US_ASCII), 0, 3);

    assertThat(d.digest()).hasToString("sha256:" + ABC_SHA256);
  }

  @Test
  void hashesOnlyTheGivenSliceOfAnArray() {
    byte[] padded = "xxabcyy".getBytes(StandardCharsets.US_ASCII);
    Digester d = Digester.of(DigestAlgorithm.SHA256);

    d.update(padded, 2, 3);

    assertThat(d.count()).isEqualTo(3);
    assertThat(d.digest()).hasToString("sha256:" + ABC_SHA256);
  }

  @Test
  void hashesOnlyTheRemainingBytesOfABufferAndConsumesThem() {
    ByteBuffer b = ByteBuffer.wrap("xxabcyy".getBytes(StandardCharsets.US_ASCII));
    b.position(2).limit(5);
    Digester d = Digester.of(DigestAlgorithm.SHA256);

    d.update(b);

    assertThat(b.position()).isEqualTo(5);
    assertThat(b.remaining()).isZero();
    assertThat(d.count()).isEqualTo(3);
    assertThat(d.digest()).hasToString("sha256:" + ABC_SHA256);
  }

  @Test
  void refusesAnOutOfRangeSliceWithoutCountingIt() {
    Digester d = Digester.of(DigestAlgorithm.SHA256);
    d.update("ab".getBytes(StandardCharsets.US_ASCII), 0, 2);

    assertThatThrownBy(() -> d.update(new byte[4], 2, 3)).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> d.update(new byte[4], 0, -1)).isInstanceOf(RuntimeException.class);
    d.update("c".getBytes(StandardCharsets.US_ASCII), 0, 1);

    // count() and the digest still describe the same bytes
    assertThat(d.count()).isEqualTo(3);
    assertThat(d.digest()).hasToString("sha256:" + ABC_SHA256);
  }

  @RepeatedTest(50)
  void streamingEqualsOneShotForRandomSplits(RepetitionInfo info) throws Exception {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      byte[] data = new byte[r.nextInt(200_000)];
      r.nextBytes(data);
      Digest expected = new Digest(algorithm, HexFormat.of().formatHex(algorithm.newMessageDigest().digest(data)));

      Digester d = Digester.of(algorithm);
      int at = 0;
      while (at < data.length) {
        int n = r.nextInt(Math.min(data.length - at, r.nextBoolean() ? 17 : 70_000) + 1);
        update(d, data, at, n, r.nextInt(4));
        at += n;
        assertThat(d.count()).as(Seeds.describe(seed, info)).isEqualTo(at);
      }

      assertThat(d.digest()).as(Seeds.describe(seed, info)).isEqualTo(expected);
    }
  }

  @RepeatedTest(50)
  void copyCheckpointsAndBothHashersContinueIndependently(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    DigestAlgorithm algorithm = r.nextBoolean() ? DigestAlgorithm.SHA256 : DigestAlgorithm.SHA512;
    byte[] head = bytes(r, r.nextInt(10_000));
    byte[] tailA = bytes(r, r.nextInt(10_000));
    byte[] tailB = bytes(r, r.nextInt(10_000));

    Digester original = Digester.of(algorithm);
    original.update(ByteBuffer.wrap(head));
    Digester checkpoint = original.copy();
    original.update(tailA, 0, tailA.length);
    checkpoint.update(ByteBuffer.wrap(tailB));

    String why = Seeds.describe(seed, info);
    assertThat(checkpoint.algorithm()).isEqualTo(algorithm);
    assertThat(original.count()).as(why).isEqualTo(head.length + tailA.length);
    assertThat(checkpoint.count()).as(why).isEqualTo(head.length + tailB.length);
    assertThat(original.digest()).as(why).isEqualTo(oneShot(algorithm, head, tailA));
    assertThat(checkpoint.digest()).as(why).isEqualTo(oneShot(algorithm, head, tailB));
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void copyOfAFreshHasherIsAFreshHasher(DigestAlgorithm algorithm) {
    Digester d = Digester.of(algorithm).copy();

    assertThat(d.count()).isZero();
    assertThat(d.digest()).isEqualTo(Digester.of(algorithm).digest());
  }

  @RepeatedTest(100)
  void randomTextIsOnlyEverRejectedWithDigestInvalid(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      String text = randomCandidate(r);
      try {
        Digest d = Digest.parse(text);
        // whatever parses is exactly algorithm ':' lowercase hex of the algorithm's length
        assertThat(text).as(() -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text))
            .matches("(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})");
        assertThat(d).hasToString(text);
      } catch (OciException e) {
        assertThat(e.error()).as(() -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text))
            .isEqualTo(OciError.DIGEST_INVALID);
      } catch (Throwable t) {
        fail(Seeds.describe(seed, info) + " input " + RandomStrings.show(text) + " threw " + t, t);
      }
    }
  }

  @RepeatedTest(50)
  void generatedDigestsRoundTrip(RepetitionInfo info) {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      Digest d = new Digest(algorithm, RandomStrings.hex(r, algorithm.hexLength()));

      assertThat(Digest.parse(d.toString())).as(Seeds.describe(seed, info)).isEqualTo(d);
      assertThat(Digest.parse(d.toString()).hashCode()).isEqualTo(d.hashCode());
    }
  }

  private static String randomCandidate(SplittableRandom r) {
    switch (r.nextInt(4)) {
      case 0:
        return RandomStrings.next(r, 150, DIGEST_ALPHABET);
      case 1: {
        DigestAlgorithm a = r.nextBoolean() ? DigestAlgorithm.SHA256 : DigestAlgorithm.SHA512;
        return a.label() + ":" + RandomStrings.hex(r, a.hexLength());
      }
      default: {
        DigestAlgorithm a = r.nextBoolean() ? DigestAlgorithm.SHA256 : DigestAlgorithm.SHA512;
        String text = a.label() + ":" + RandomStrings.hex(r, a.hexLength());
        int edits = 1 + r.nextInt(3);
        for (int i = 0; i < edits; i++) {
          text = RandomStrings.mutate(r, text, DIGEST_ALPHABET);
        }
        return text;
      }
    }
  }

  /** Feeds {@code data[at, at+n)} through one of the Digester's input paths. */
  private static void update(Digester d, byte[] data, int at, int n, int path) {
    switch (path) {
      case 0 -> d.update(data, at, n);
      case 1 -> d.update(ByteBuffer.wrap(data, at, n));
      case 2 -> {
        ByteBuffer direct = ByteBuffer.allocateDirect(n);
        direct.put(data, at, n).flip();
        d.update(direct);
        assertThat(direct.hasRemaining()).isFalse();
      }
      default -> d.update(ByteBuffer.wrap(Arrays.copyOfRange(data, at, at + n)).asReadOnlyBuffer());
    }
  }

  private static byte[] bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static Digest oneShot(DigestAlgorithm algorithm, byte[]... parts) {
    MessageDigest md = algorithm.newMessageDigest();
    for (byte[] p : parts) {
      md.update(p);
    }
    return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
  }
}

package io.wharf.proxy.route.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.http.RangeHeader.ByteRange;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class RangeHeaderTest {
  private static final long SIZE = 1000;

  @ParameterizedTest(name = "{0} -> {1}-{2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bytes=0-0        | 0   | 0",
        "bytes=0-499      | 0   | 499",
        "bytes=500-999    | 500 | 999",
        "bytes=500-5000   | 500 | 999", // end clamped to the blob
        "bytes=999-999    | 999 | 999",
        "bytes=100-       | 100 | 999",
        "bytes=0-         | 0   | 999",
        "bytes=-1         | 999 | 999",
        "bytes=-500       | 500 | 999",
        "bytes=-5000      | 0   | 999", // suffix longer than the blob: all of it
        "BYTES=1-2        | 1   | 2", // units are case-insensitive
        "' bytes=1-2 '    | 1   | 2",
        "'bytes=1-2, '    | 1   | 2", // empty list elements are ignored
        "'bytes=,1-2'     | 1   | 2",
      })
  void readsOneRange(String header, long start, long end) {
    Optional<ByteRange> range = RangeHeader.parse(header, SIZE);

    assertThat(range).contains(new ByteRange(start, end));
    assertThat(range.get().contentRange(SIZE)).isEqualTo("bytes " + start + "-" + end + "/" + SIZE);
    assertThat(range.get().length()).isEqualTo(end - start + 1);
  }

  @Test
  void servesTheWholeBlobWithoutAHeader() {
    assertThat(RangeHeader.parse(null, SIZE)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"items=0-1", "none", "pages=1-2", "", "  "})
  void ignoresUnitsItDoesNotKnow(String header) {
    assertThat(RangeHeader.parse(header, SIZE)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=0-1,5-6", "bytes=0-1, 2000-3000", "bytes=-1,-2"})
  void servesTheWholeBlobForSeveralRanges(String header) {
    assertThat(RangeHeader.parse(header, SIZE)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes=1000-", "bytes=1000-1001", "bytes=5000-6000", "bytes=-0",
      })
  void refusesRangesPastTheEnd(String header) {
    assertThatThrownBy(() -> RangeHeader.parse(header, SIZE))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.RANGE_INVALID);
          assertThat(e.status()).isEqualTo(416);
        });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "bytes=1-2-3", "bytes=0x10-",
        "bytes= 1 - 2", "bytes=+1-2", "bytes=1-+2", "bytes=9999999999999999999-", "bytes=,", "bytes=1",
      })
  void refusesMalformedByteRanges(String header) {
    assertThatThrownBy(() -> RangeHeader.parse(header, SIZE))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.RANGE_INVALID));
  }

  @Test
  void anEmptyBlobHasNoSatisfiableRange() {
    assertThatThrownBy(() -> RangeHeader.parse("bytes=0-", 0)).isInstanceOf(OciException.class);
    assertThatThrownBy(() -> RangeHeader.parse("bytes=-5", 0)).isInstanceOf(OciException.class);
    assertThat(RangeHeader.parse(null, 0)).isEmpty();
  }

  @RepeatedTest(200)
  void onlyOciExceptionEscapesRandomInput(RepetitionInfo repetition) {
    long seed = RandomText.seed(repetition);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      String header = (r.nextBoolean() ? "bytes=" : "") + RandomText.next(r, 40, "0123456789-,= bytes");
      long size = r.nextInt(4) == 0 ? 0 : r.nextLong(1L << 40);
      try {
        Optional<ByteRange> range = RangeHeader.parse(header, size);
        range.ifPresent(b -> {
          assertThat(b.start()).as(RandomText.describe(seed)).isBetween(0L, size - 1);
          assertThat(b.end()).as(RandomText.describe(seed)).isBetween(b.start(), size - 1);
        });
      } catch (OciException e) {
        assertThat(e.error()).as(RandomText.describe(seed)).isEqualTo(OciError.RANGE_INVALID);
      } catch (RuntimeException e) {
        fail(RandomText.describe(seed) + " header " + header + " threw " + e, e);
      }
    }
  }
}

package io.wharf.proxy.route.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.route.http.ContentRangeHeader.Span;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ContentRangeHeaderTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0-99                | 0   | 99",
        "100-199             | 100 | 199",
        "5-5                 | 5   | 5",
        "' 0-9 '             | 0   | 9",
        "bytes 0-99/1000     | 0   | 99",
        "bytes 0-99/*        | 0   | 99",
        "bytes=10-19         | 10  | 19",
      })
  void readsTheSpan(String header, long start, long end) {
    Span span = ContentRangeHeader.parse(header);

    assertThat(span).isEqualTo(new Span(start, end));
    assertThat(span.length()).isEqualTo(end - start + 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-", "0-", "-5", "5-1", "a-b", "0x1-2", "1 - 2", "bytes", "bytes */100", "99999999999999999999-1"})
  void refusesAnythingElseWith416(String header) {
    assertThatThrownBy(() -> ContentRangeHeader.parse(header))
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.RANGE_INVALID);
          assertThat(e.status()).isEqualTo(416);
        });
  }

  @RepeatedTest(100)
  void onlyOciExceptionEscapesRandomInput(RepetitionInfo repetition) {
    long seed = RandomText.seed(repetition);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 200; i++) {
      String header = RandomText.next(r, 30, "0123456789-/ bytes*");
      try {
        Span span = ContentRangeHeader.parse(header);
        assertThat(span.end()).as(RandomText.describe(seed)).isGreaterThanOrEqualTo(span.start());
      } catch (OciException e) {
        assertThat(e.error()).isEqualTo(OciError.RANGE_INVALID);
      } catch (RuntimeException e) {
        fail(RandomText.describe(seed) + " header " + header + " threw " + e, e);
      }
    }
  }
}

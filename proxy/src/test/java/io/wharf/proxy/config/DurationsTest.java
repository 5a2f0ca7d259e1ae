package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class DurationsTest {
  private static final List<String> FRAGMENTS =
      List.of("ms", "s", "m", "h", "d", "PT", "P", "T", "M", "S", "H", "D", "-", ".", "1", "30");

  @ParameterizedTest
  @CsvSource({
    "0, PT0S",
    "0s, PT0S",
    "500ms, PT0.5S",
    "30s, PT30S",
    "5m, PT5M",
    "2h, PT2H",
    "1d, PT24H",
    "1h30m, PT1H30M",
    "1m30s500ms, PT1M30.5S",
    "2d3h4m5s6ms, PT51H4M5.006S",
    "90s, PT1M30S",
    "PT5M, PT5M",
    "pt5m, PT5M",
    "P1D, PT24H",
    "PT0.5S, PT0.5S",
  })
  void parsesDurationsAsPeopleWriteThem(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({
    "PT0S, 0s",
    "PT0.5S, 500ms",
    "PT90S, 1m30s",
    "PT1.5S, 1s500ms",
    "PT24H, 1d",
    "PT25H, 1d1h",
    "PT1H30M, 1h30m",
    "PT0.000000001S, PT0.000000001S",
    "PT1.0005S, PT1.0005S",
  })
  void formatsInTheLargestUnitsFirst(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "5",
        "60",
        "5 parsecs",
        "-5m",
        "-0s",
        "PT-5M",
        "-PT5M",
        "5M",
        "5min",
        "1.5h",
        "30s1h",
        "1h1h",
        "1ms1s",
        "1h 30m",
        " 5m",
        "5m ",
        "ms",
        "s5",
        "P",
        "PT",
        "PTS",
        "99999999999999999999s",
        "9999999999999999d",
        "5m30",
        "0x5s"
      })
  void refusesWhatIsNotANonNegativeDuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot parse '" + text + "' as a duration");
  }

  @Test
  void namesExamplesWhenItCannotParse() {
    assertThatThrownBy(() -> Durations.parse("5 parsecs"))
        .hasMessage("cannot parse '5 parsecs' as a duration (examples: 500ms, 30s, 5m, 2h)");
    assertThatThrownBy(() -> Durations.parse("-5m")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Durations.parse("30s1h")).hasMessageContaining("largest first");
  }

  @RepeatedTest(20)
  void garbageFailsOnlyWithIllegalArgumentExceptionAndWhatParsesRoundTrips() {
    long seed = RandomInput.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      String text = RandomInput.text(random, FRAGMENTS, 5);
      Duration duration;
      try {
        duration = Durations.parse(text);
      } catch (IllegalArgumentException expected) {
        assertThat(expected).as("seed %d, input '%s'", seed, text).hasMessageContaining(text);
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", input '" + text + "'", e);
      }
      assertThat(duration.isNegative()).as("seed %d, input '%s'", seed, text).isFalse();
      assertThat(Durations.parse(Durations.format(duration)))
          .as("seed %d, input '%s'", seed, text)
          .isEqualTo(duration);
    }
  }

  @RepeatedTest(20)
  void everyNonNegativeDurationRoundTripsThroughItsText() {
    long seed = RandomInput.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      long seconds = (random.nextLong() & Long.MAX_VALUE) >> random.nextInt(64);
      int nanos =
          random.nextBoolean() ? random.nextInt(1_000) * 1_000_000 : random.nextInt(1_000_000_000);
      Duration duration = Duration.ofSeconds(seconds, nanos);
      String text = Durations.format(duration);
      try {
        assertThat(Durations.parse(text)).as("seed %d, text %s", seed, text).isEqualTo(duration);
      } catch (IllegalArgumentException e) {
        fail("seed " + seed + ", text " + text, e);
      }
    }
  }
}

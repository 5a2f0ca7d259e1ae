package io.wharf.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.wharf.proxy.config.DataSize.Unit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class DataSizeTest {
  private static final List<String> FRAGMENTS =
      List.of(
          "B", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "KB", "k", "m", " ", "1", "16");

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "512, 512",
    "512B, 512",
    "16KiB, 16384",
    "16 KiB, 16384",
    "4MiB, 4194304",
    "300GiB, 322122547200",
    "1TiB, 1099511627776",
    "1kB, 1000",
    "5MB, 5000000",
    "2GB, 2000000000",
    "1TB, 1000000000000",
    "9223372036854775807, 9223372036854775807",
  })
  void parsesSizesAsPeopleWriteThem(String text, long bytes) {
    assertThat(DataSize.parse(text)).isEqualTo(DataSize.ofBytes(bytes));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0B",
    "512, 512B",
    "1000, 1kB",
    "1024, 1KiB",
    "16384, 16KiB",
    "4194304, 4MiB",
    "1536, 1536B",
    "1024000, 1000KiB",
    "3000000, 3MB",
    "1099511627776, 1TiB",
    "2000000000000, 2TB",
  })
  void printsTheUnitThatWritesItExactlyWithTheSmallestNumber(long bytes, String text) {
    assertThat(DataSize.ofBytes(bytes)).hasToString(text);
    assertThat(DataSize.parse(text).bytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "B",
        "KiB",
        "-1",
        "+1",
        "1.5GiB",
        "16KB",
        "16kib",
        "16k",
        "4m",
        "1g",
        "16 ",
        " 16",
        "16  KiB",
        "0x10",
        "1e3",
        "16KiBs",
        "1 6",
        "99999999999999999999",
        "9999999999TiB",
        "9223372036854775808"
      })
  void refusesWhatIsNotASize(String text) {
    assertThatThrownBy(() -> DataSize.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot parse '" + text + "' as a size");
  }

  @Test
  void namesTheAcceptedUnitsWhenTheUnitIsUnknown() {
    assertThatThrownBy(() -> DataSize.parse("16KB"))
        .hasMessage(
            "cannot parse '16KB' as a size: unknown unit 'KB' (examples: 512, 16KiB, 4MiB, 300GiB;"
                + " units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  }

  @Test
  void buildsFromAnAmountAndAUnit() {
    assertThat(DataSize.of(300, Unit.GIB)).isEqualTo(DataSize.parse("300GiB"));
    assertThat(DataSize.of(4, Unit.MB).bytes()).isEqualTo(4_000_000);
    assertThatThrownBy(() -> DataSize.of(Long.MAX_VALUE, Unit.KIB))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DataSize.ofBytes(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void convertsToAnIntOnlyWhenItFits() {
    assertThat(DataSize.parse("16KiB").toIntExact()).isEqualTo(16384);
    assertThatThrownBy(() -> DataSize.parse("2GiB").toIntExact())
        .isInstanceOf(ArithmeticException.class);
  }

  @RepeatedTest(20)
  void garbageFailsOnlyWithIllegalArgumentExceptionAndWhatParsesRoundTrips() {
    long seed = RandomInput.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      String text = RandomInput.text(random, FRAGMENTS, 4);
      DataSize size;
      try {
        size = DataSize.parse(text);
      } catch (IllegalArgumentException expected) {
        assertThat(expected).as("seed %d, input '%s'", seed, text).hasMessageContaining(text);
        continue;
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", input '" + text + "'", e);
      }
      assertThat(DataSize.parse(size.toString()))
          .as("seed %d, input '%s'", seed, text)
          .isEqualTo(size);
    }
  }

  @RepeatedTest(20)
  void everySizeRoundTripsThroughItsText() {
    long seed = RandomInput.seed();
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      Unit unit = Unit.values()[random.nextInt(Unit.values().length)];
      long amount = (random.nextLong() & Long.MAX_VALUE) / unit.factor() >> random.nextInt(63);
      DataSize size = DataSize.of(amount, unit);
      String written = random.nextBoolean() ? size.toString() : amount + unit.symbol();
      try {
        assertThat(DataSize.parse(written)).as("seed %d, size %s", seed, written).isEqualTo(size);
      } catch (IllegalArgumentException e) {
        fail("seed " + seed + ", size " + written, e);
      }
    }
  }
}

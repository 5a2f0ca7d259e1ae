package io.wharf.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

final class ErrorBodyTest {
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  @ParameterizedTest
  @EnumSource(OciError.class)
  void rendersEveryCodeAsTheSpecsErrorsArray(OciError error) throws IOException {
    JsonNode root = STRICT.readTree(ErrorBody.of(new OciException(error, error.message())));

    assertThat(root.isObject()).isTrue();
    assertThat(root.size()).isEqualTo(1);
    JsonNode errors = root.get("errors");
    assertThat(errors.isArray()).isTrue();
    assertThat(errors.size()).isEqualTo(1);
    JsonNode e = errors.get(0);
    assertThat(e.get("code").textValue()).isEqualTo(error.code());
    assertThat(e.get("message").textValue()).isEqualTo(error.message());
    assertThat(e.has("detail")).isFalse();
  }

  @Test
  void includesTheDetailWhenThereIsOne() throws IOException {
    byte[] body = ErrorBody.of(new OciException(OciError.BLOB_UNKNOWN, "blob unknown to registry", "sha256:abc"));

    JsonNode e = STRICT.readTree(body).get("errors").get(0);

    assertThat(e.get("code").textValue()).isEqualTo("BLOB_UNKNOWN");
    assertThat(e.get("detail").textValue()).isEqualTo("sha256:abc");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "say \"hi\"", "back\\slash", "line\nbreak\r\n", "tab\tand\u0000nul\u001f", "caf\u00e9 \u4e2d\u6587 \ud83d\udc33",
    "</script><script>alert(1)</script>", "\u2028\u2029", "{\"errors\":[]}", "unpaired \ud800 and \udfff", "",
  })
  void escapesAnyMessageAndDetailSoTheyParseBackUnchanged(String text) throws IOException {
    byte[] body = ErrorBody.of(new OciException(OciError.NAME_INVALID, text, text));

    assertValidUtf8(body);
    JsonNode e = STRICT.readTree(body).get("errors").get(0);
    if (isWellFormedUtf16(text)) {
      assertThat(e.get("message").textValue()).isEqualTo(text);
      assertThat(e.get("detail").textValue()).isEqualTo(text);
    } else {
      assertThat(e.get("message").isTextual()).isTrue();
    }
    assertThat(e.get("code").textValue()).isEqualTo("NAME_INVALID");
  }

  @RepeatedTest(20)
  void randomMessagesAlwaysRenderAsValidJson(RepetitionInfo info) throws IOException {
    long seed = Seeds.of(info);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < 100; i++) {
      String text = RandomStrings.next(r, 300, "\"\\\n{}[]:,");
      Supplier<String> why = () -> Seeds.describe(seed, info) + " input " + RandomStrings.show(text);
      byte[] body = ErrorBody.of(new OciException(OciError.DIGEST_INVALID, text));

      assertValidUtf8(body);
      JsonNode e = STRICT.readTree(body).get("errors").get(0);
      if (isWellFormedUtf16(text)) {
        assertThat(e.get("message").textValue()).as(why).isEqualTo(text);
      }
    }
  }

  private static void assertValidUtf8(byte[] body) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw new AssertionError("body is not valid UTF-8", e);
    }
  }

  private static boolean isWellFormedUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}

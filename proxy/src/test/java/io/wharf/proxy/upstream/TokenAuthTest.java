package io.wharf.proxy.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.upstream.TestSupport.FakeTicker;
import io.wharf.proxy.upstream.TokenAuth.Credential;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class TokenAuthTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final List<@Nullable String> authorizations = new CopyOnWriteArrayList<>();

  private TokenAuth auth(String upstream, @Nullable String user) {
    return new TokenAuth(URI.create(upstream), user, user == null ? null : "pw", ticker, (url, authorization) -> {
      asked.add(url.toString());
      authorizations.add(authorization);
      return CompletableFuture.completedFuture(("{\"token\":\"tok" + asked.size() + "\",\"expires_in\":100}").getBytes(UTF_8));
    });
  }

  private static List<String> bearer(String realm) {
    return List.of("Bearer realm=\"" + realm + "\",service=\"svc\"");
  }

  @Test
  void asksTheRealmForAPullScopedToken() throws Exception {
    Credential c = auth("https://registry.example", null).answer(bearer("https://auth.example/token?x=1"), "library/nginx", null, null).get();

    assertThat(c.header()).isEqualTo("Bearer tok1");
    assertThat(c.fresh()).isTrue();
    assertThat(asked).containsExactly("https://auth.example/token?x=1&service=svc&scope=repository%3Alibrary%2Fnginx%3Apull");
    assertThat(authorizations).containsExactly((String) null);
  }

  @Test
  void sendsCredentialsToAnHttpsRealmOnly() throws Exception {
    auth("https://registry.example", "alice").answer(bearer("https://auth.example/token"), "a/b", null, null).get();
    auth("https://registry.example", "alice").answer(bearer("http://auth.example/token"), "a/b", null, null).get();
    auth("http://127.0.0.1:5000", "alice").answer(bearer("http://127.0.0.1:5000/token"), "a/b", null, null).get();

    assertThat(authorizations).containsExactly(TokenAuth.basic("alice", "pw"), null, TokenAuth.basic("alice", "pw"));
  }

  @Test
  void keepsATokenUntilShortlyBeforeItExpires() throws Exception {
    TokenAuth a = auth("https://registry.example", null);
    a.answer(bearer("https://auth.example/token"), "a/b", null, null).get();

    Credential cached = a.preemptive("a/b").get();
    assertThat(cached.header()).isEqualTo("Bearer tok1");
    assertThat(cached.fresh()).isFalse();

    ticker.advance(Duration.ofSeconds(80)); // 100 s less a fifth
    Credential renewed = a.preemptive("a/b").get();
    assertThat(renewed.header()).isEqualTo("Bearer tok2");
    assertThat(renewed.fresh()).isTrue();
    assertThat(a.preemptive("other/repo").get().header()).isEqualTo("Bearer tok3"); // its own scope
  }

  @Test
  void replacesACachedTokenOnceThenGivesUp() throws Exception {
    TokenAuth a = auth("https://registry.example", null);
    a.answer(bearer("https://auth.example/token"), "a/b", null, null).get();
    Credential cached = a.preemptive("a/b").get();

    Credential fresh = a.answer(bearer("https://auth.example/token"), "a/b", cached, null).get();
    assertThat(fresh.header()).isEqualTo("Bearer tok2");

    assertThatThrownBy(() -> a.answer(bearer("https://auth.example/token"), "a/b", fresh, "UNAUTHORIZED: nope").get())
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(OciException.class, e -> {
          assertThat(e.error()).isEqualTo(OciError.UNAUTHORIZED);
          assertThat(e.detail()).isEqualTo("upstream 401: UNAUTHORIZED: nope");
        });
  }

  @Test
  void answersBasicOnlyWithCredentialsAndOnlyOnce() throws Exception {
    List<String> basic = List.of("Basic realm=\"r\"");
    TokenAuth anonymous = auth("https://registry.example", null);
    assertThatThrownBy(() -> anonymous.answer(basic, "a/b", null, null).get()).cause().isInstanceOf(OciException.class);

    TokenAuth withUser = auth("https://registry.example", "alice");
    Credential c = withUser.answer(basic, "a/b", null, null).get();
    assertThat(c.header()).isEqualTo(TokenAuth.basic("alice", "pw"));
    assertThat(withUser.preemptive("x/y").get()).isEqualTo(c);
    assertThatThrownBy(() -> withUser.answer(basic, "a/b", c, null).get()).cause().isInstanceOf(OciException.class);
  }

  @ParameterizedTest
  @CsvSource({"ftp://auth.example/token", "not a url", "https://user:pw@auth.example/token", "/relative"})
  void refusesARealmItCannotUse(String realm) {
    assertThatThrownBy(() -> auth("https://registry.example", "alice").answer(bearer(realm), "a/b", null, null).get())
        .cause()
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.UNAUTHORIZED));
    assertThat(asked).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "{\"token\":\"a\",\"expires_in\":300}            | a | PT4M30S",
    "{\"access_token\":\"b\",\"expires_in\":3600}    | b | PT59M30S",
    "{\"token\":\"c\"}                               | c | PT48S",
    "{\"token\":\"\",\"access_token\":\"d\"}         | d | PT48S",
    "{\"token\":\"e\",\"expires_in\":-1}             | e | PT48S",
  })
  void readsTheTokenResponse(String json, String token, String lifetime) {
    TokenAuth.Token t = TokenAuth.parseToken(json.getBytes(UTF_8));

    assertThat(t.value()).isEqualTo(token);
    assertThat(Duration.ofNanos(t.lifetimeNanos())).isEqualTo(Duration.parse(lifetime));
    assertThat(t.toString()).doesNotContain(token + ",");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"{}", "[]", "not json", "{\"token\":42}"})
  void refusesAResponseWithoutAToken(String body) {
    assertThatThrownBy(() -> TokenAuth.parseToken(body.getBytes(UTF_8)))
        .isInstanceOfSatisfying(OciException.class, e -> assertThat(e.error()).isEqualTo(OciError.UNAUTHORIZED));
  }
}

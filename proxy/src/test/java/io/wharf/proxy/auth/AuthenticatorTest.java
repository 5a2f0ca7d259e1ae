package io.wharf.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.config.AdminAccountConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Basic credentials against the real account stores (bcrypt): the throttle refuses before any
 * hashing, the cache spares the hashing of an honest client, and the audit log records both.
 */
final class AuthenticatorTest {
  private static final String PASSWORD = "correct horse battery staple";

  @TempDir Path data;
  private final TestClock clock = new TestClock(Instant.now());
  private final AtomicInteger hashes = new AtomicInteger();
  private final List<Duration> retryAfter = new ArrayList<>();
  private RobotAccounts robots;
  private AuditLog audit;
  private Authenticator authenticator;

  @BeforeEach
  void open() {
    AdminPassword admin = AdminPassword.open(data, new AdminAccountConfig(PASSWORD), new PrintStream(new ByteArrayOutputStream()));
    robots = RobotAccounts.open(data);
    Authenticator.PasswordCheck real = Authenticator.accounts(admin, robots);
    // the real check, counted: every call is one bcrypt (or none, for a user that does not exist)
    Authenticator.PasswordCheck counted = new Authenticator.PasswordCheck() {
      @Override
      public Optional<Authenticator.Login> check(String user, String password, Instant now) {
        hashes.incrementAndGet();
        return real.check(user, password, now);
      }

      @Override
      public boolean isAccount(String user) {
        return real.isAccount(user);
      }
    };
    audit = AuditLog.open(data, clock);
    authenticator = new Authenticator(
        counted, new LoginThrottle(5, Duration.ofMinutes(5), clock), new CredentialCache(Duration.ofSeconds(30), clock), audit, clock);
  }

  @AfterEach
  void close() {
    audit.close();
  }

  @Test
  void aThousandBadPasswordsAreRefusedAfterTheLimitWithNoFurtherHashing() {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long start = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < 5; i++) {
      assertRefused(login("admin", "guess-" + i, "10.0.0.7"), OciError.UNAUTHORIZED);
    }
    long afterHashed = cpu.getCurrentThreadCpuTime();
    for (int i = 5; i < 1000; i++) {
      assertRefused(login("admin", "guess-" + i, "10.0.0.7"), OciError.TOOMANYREQUESTS);
    }
    long afterRefused = cpu.getCurrentThreadCpuTime();

    assertThat(hashes).hasValue(5);
    assertThat(retryAfter).hasSize(995).allMatch(d -> d.equals(Duration.ofMinutes(5)));
    // 995 refused attempts cost less CPU than the 5 that were hashed: none of them hashed
    assertThat(afterRefused - afterHashed).isLessThan(afterHashed - start);
    // the right password from that address is refused too, unhashed; from another it works
    assertRefused(login("admin", PASSWORD, "10.0.0.7"), OciError.TOOMANYREQUESTS);
    assertThat(hashes).hasValue(5);
    assertThat(authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.8", retryAfter::add))
        .isEqualTo(Principal.admin());
    // after the lockout the address may try again
    clock.advance(Duration.ofMinutes(5));
    assertThat(authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.7", retryAfter::add))
        .isEqualTo(Principal.admin());
  }

  @Test
  void aSuccessfulCheckIsRememberedAndAuditedOncePerCachePeriod() throws IOException {
    for (int i = 0; i < 50; i++) {
      assertThat(authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.7", retryAfter::add))
          .isEqualTo(Principal.admin());
    }
    assertThat(hashes).hasValue(1);
    clock.advance(Duration.ofSeconds(30));
    authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.7", retryAfter::add);

    assertThat(hashes).hasValue(2);
    assertThat(auditLines()).hasSize(2).allMatch(l -> l.contains("\"event\":\"login\"") && l.contains("\"user\":\"admin\""));
  }

  @Test
  void aCredentialChangeForgetsRememberedChecks() {
    authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.7", retryAfter::add);
    authenticator.credentialsChanged();
    authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.7", retryAfter::add);

    assertThat(hashes).hasValue(2);
  }

  @Test
  void robotsLogInWithTheirGrantsUntilTheyExpire() {
    RobotAccounts.Created ci = robots.create("ci", Map.of("team", Set.of(Action.PULL, Action.PUSH)), Instant.now().plusSeconds(3600));

    Principal principal = authenticator.login(new BasicCredentials("robot$ci", ci.secret()), "10.0.0.7", retryAfter::add);

    assertThat(principal.kind()).isEqualTo(Principal.Kind.ROBOT);
    assertThat(principal.name()).isEqualTo("robot$ci");
    assertThat(principal.may(Action.PUSH, "team")).isTrue();
    assertThat(principal.may(Action.PUSH, "other")).isFalse();
    clock.advance(Duration.ofMinutes(61));
    assertRefused(login("robot$ci", ci.secret(), "10.0.0.7"), OciError.UNAUTHORIZED);
  }

  @Test
  void unknownUsersFailWithoutHashingAndAreNotCounted() {
    for (int i = 0; i < 20; i++) {
      assertRefused(login("root", PASSWORD, "10.0.0.7"), OciError.UNAUTHORIZED);
    }

    assertThat(hashes).hasValue(20); // the check ran, but a user that does not exist costs no bcrypt
    assertThat(retryAfter).isEmpty();
  }

  @Test
  void cyclingMadeUpNamesDoesNotLiftTheLockOfARealAccount() {
    for (int i = 0; i < 5; i++) {
      assertRefused(login("admin", "guess " + i, "10.0.0.7"), OciError.UNAUTHORIZED);
    }
    assertRefused(login("admin", "guess 5", "10.0.0.7"), OciError.TOOMANYREQUESTS);

    // more names than the throttle remembers pairs: had they been counted, the admin's count would be evicted
    for (int i = 0; i < LoginThrottle.MAX_ENTRIES + 1_000; i++) {
      assertRefused(login("user" + i, "x", "10.0.0.7"), OciError.UNAUTHORIZED);
    }

    assertRefused(login("admin", PASSWORD, "10.0.0.7"), OciError.TOOMANYREQUESTS);
  }

  @Test
  void noPasswordReachesTheAuditLogOrTheLogs() throws IOException {
    try (LogCapture logs = new LogCapture()) {
      login("admin", "wrong-password-xyzzy", "10.0.0.7");
      authenticator.login(new BasicCredentials("admin", PASSWORD), "10.0.0.7", retryAfter::add);

      assertThat(String.join("\n", logs.lines())).doesNotContain("wrong-password-xyzzy").doesNotContain(PASSWORD);
    }
    String audited = String.join("\n", auditLines());
    assertThat(audited).contains("login_failed").contains("\"event\":\"login\"");
    assertThat(audited).doesNotContain("wrong-password-xyzzy").doesNotContain(PASSWORD);
    assertThat(new BasicCredentials("admin", PASSWORD).toString()).doesNotContain(PASSWORD);
  }

  private Throwable login(String user, String password, String address) {
    try {
      authenticator.login(new BasicCredentials(user, password), address, retryAfter::add);
      return null;
    } catch (OciException e) {
      return e;
    }
  }

  private static void assertRefused(Throwable t, OciError error) {
    assertThat(t).isInstanceOf(OciException.class);
    assertThat(((OciException) t).error()).isEqualTo(error);
    assertThat(((OciException) t).status()).isEqualTo(error.status());
  }

  private List<String> auditLines() throws IOException {
    return Files.readAllLines(AuditLog.file(data));
  }
}

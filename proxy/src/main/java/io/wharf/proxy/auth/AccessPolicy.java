package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.wharf.proxy.config.WharfConfig;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Who may do what, Harbor's rules: the admin everything; a robot what its grants say in each
 * project; anyone (an account or not) may pull in a project whose {@code anonymousPull} is true,
 * the default everywhere, because nodes pull through containerd with no credentials. Push and
 * delete always need an account with the right.
 *
 * <p>A project here is a local project's name or an upstream's proxy project name, as {@link
 * Principal#grants()} has them. Thread-safe and immutable.
 */
public final class AccessPolicy {
  /** What a request needs before it runs; {@code route.RouteAccess} gives each route's. */
  public enum Requirement {
    /** Nothing: {@code /healthz}, {@code /readyz}, {@code /metrics}, the token endpoint, 404s. */
    OPEN(null),
    /** Any valid account ({@code GET /v2/}); anonymous gets the challenge so clients log in. */
    ACCOUNT(null),
    /** The admin, or a token granting {@code registry:catalog:*} ({@code /v2/_catalog}). */
    CATALOG(null),
    /** The admin by Basic auth, from a loopback address (the admin API). */
    ADMIN_API(null),
    /** Pull in the request's project. */
    PULL(Action.PULL),
    /** Push in the request's project. */
    PUSH(Action.PUSH),
    /** Delete in the request's project. */
    DELETE(Action.DELETE);

    private final @Nullable Action action;

    Requirement(@Nullable Action action) {
      this.action = action;
    }

    /** The repository action, for PULL, PUSH and DELETE; null for the others. */
    public @Nullable Action action() {
      return action;
    }
  }

  private final Predicate<String> anonymousPull;

  /**
   * @param anonymousPull whether a project lets anyone pull ({@link
   *     WharfConfig#allowsAnonymousPull})
   */
  public AccessPolicy(Predicate<String> anonymousPull) {
    this.anonymousPull = requireNonNull(anonymousPull, "anonymousPull");
  }

  public static AccessPolicy of(WharfConfig config) {
    return new AccessPolicy(config::allowsAnonymousPull);
  }

  /** Whether {@code principal} may do {@code action} in {@code project}. */
  public boolean permits(Principal principal, Action action, String project) {
    return principal.may(action, project) || (action == Action.PULL && anonymousPull.test(project));
  }

  /** The actions of the given ones that {@code principal} may do in {@code project}. */
  public Set<Action> permitted(Principal principal, Set<Action> actions, String project) {
    Set<Action> out = EnumSet.noneOf(Action.class);
    for (Action a : actions) {
      if (permits(principal, a, project)) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * The actions a challenge asks a client to get a token for, so that one token serves the
   * whole operation: a push also reads (blob existence checks), as Docker clients expect.
   */
  public static Set<Action> challengeActions(Action action) {
    return action == Action.PUSH ? EnumSet.of(Action.PULL, Action.PUSH) : EnumSet.of(action);
  }
}

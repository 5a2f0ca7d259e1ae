package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Set;

/**
 * Who a request is: nobody in particular, the admin, or a robot account with its grants.
 *
 * @param name the account name as clients log in with it ({@code admin}, {@code robot$ci}); empty
 *     for anonymous
 * @param kind what sort of account
 * @param grants for a robot: project name (a local project, or an upstream's proxy project name
 *     such as {@code dockerhub}) to the actions allowed in it; ignored for the admin (who
 *     may do everything) and anonymous (who may pull where a project allows it, decided by the
 *     project's policy, not here)
 */
public record Principal(String name, Kind kind, Map<String, Set<Action>> grants) {
  /** The sorts of account. */
  public enum Kind {
    ANONYMOUS,
    ADMIN,
    ROBOT
  }

  /** The admin account's name. */
  public static final String ADMIN_NAME = "admin";

  private static final Principal ANONYMOUS = new Principal("", Kind.ANONYMOUS, Map.of());
  private static final Principal ADMIN = new Principal(ADMIN_NAME, Kind.ADMIN, Map.of());

  public Principal {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    grants = Map.copyOf(requireNonNull(grants, "grants"));
  }

  public static Principal anonymous() {
    return ANONYMOUS;
  }

  public static Principal admin() {
    return ADMIN;
  }

  public boolean isAnonymous() {
    return kind == Kind.ANONYMOUS;
  }

  public boolean isAdmin() {
    return kind == Kind.ADMIN;
  }

  /**
   * Whether this account's own rights allow {@code action} in {@code project} (a local project's
   * name or an upstream's proxy project name, as in {@link #grants}). Anonymous has no
   * rights of its own: anonymous pulls are the project policy's to allow.
   */
  public boolean may(Action action, String project) {
    return switch (kind) {
      case ADMIN -> true;
      case ANONYMOUS -> false;
      case ROBOT -> grants.getOrDefault(project, Set.of()).contains(action);
    };
  }
}

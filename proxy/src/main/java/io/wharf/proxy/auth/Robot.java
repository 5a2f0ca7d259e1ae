package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A robot account: a name, what it may do in which projects, and until when. Its secret is not
 * here: {@link RobotAccounts} keeps only a bcrypt hash of it.
 *
 * @param name the robot's own name ({@code ci}); clients log in as {@link #loginName()}
 * @param grants project name (a local project, or an upstream's proxy project name) to the actions
 *     allowed in it; at least one project with at least one action
 * @param expiresAt when its logins stop working, or null for never
 * @param createdAt when it was made
 */
public record Robot(String name, Map<String, Set<Action>> grants, @Nullable Instant expiresAt, Instant createdAt) {
  /** Login names of robots start with this, as Harbor's do: {@code robot$ci}. */
  public static final String PREFIX = "robot$";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");
  private static final int MAX_NAME = 64;

  /**
   * @throws OciException NAME_INVALID (400) for a name or project that is not lowercase letters and
   *     digits with single {@code . _ -} between them (64 characters at most), or no grants
   */
  public Robot {
    requireNonNull(name, "name");
    requireNonNull(grants, "grants");
    requireNonNull(createdAt, "createdAt");
    checkName(name);
    if (grants.isEmpty()) {
      throw new OciException(OciError.NAME_INVALID, "robot '" + name + "' needs at least one grant (project=pull,push)");
    }
    Map<String, Set<Action>> copy = new TreeMap<>();
    grants.forEach((project, actions) -> {
      // a project as config names them: one repository name component
      if (project == null || project.length() > 255 || !RepositoryName.isComponent(project)) {
        throw new OciException(OciError.NAME_INVALID, "not a project name: '" + printable(project) + "'");
      }
      if (actions == null || actions.isEmpty()) {
        throw new OciException(OciError.NAME_INVALID, "no actions granted in project '" + project + "'");
      }
      copy.put(project, Set.copyOf(EnumSet.copyOf(actions)));
    });
    grants = Collections.unmodifiableMap(copy);
  }

  /**
   * Checks a robot name (without the prefix).
   *
   * @throws OciException NAME_INVALID (400) unless it is 1 to 64 lowercase letters and digits with
   *     single {@code . _ -} between them
   */
  public static void checkName(String name) {
    if (name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      throw new OciException(OciError.NAME_INVALID, "not a robot name: '" + printable(name)
          + "' (lowercase letters and digits, '.', '_' or '-' between them, at most " + MAX_NAME + " characters)");
    }
  }

  /** The name clients log in with: {@code robot$} and the name. */
  public String loginName() {
    return PREFIX + name;
  }

  /** Whether its logins stopped working by {@code now}. */
  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  /** Who a request logged in as this robot is. */
  public Principal principal() {
    return new Principal(loginName(), Principal.Kind.ROBOT, grants);
  }

  /** Text from a request, made safe to echo in a message. */
  private static String printable(@Nullable String s) {
    if (s == null) {
      return "null";
    }
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}

package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One repository scope of Docker token auth, {@code repository:<name>:<action>[,<action>]*}, as
 * {@code /service/token?scope=} asks for it and the {@code WWW-Authenticate} challenge names it.
 *
 * <p>The grammar is Docker's ({@code docs/spec/auth/scope.md}) narrowed to what wharf serves: the
 * resource type {@code repository} with a name that is a valid {@link RepositoryName} (so it never
 * contains {@code :}) and the actions {@code pull}, {@code push}, {@code delete} or {@code *} (all
 * three); and {@code registry:catalog:*}. Anything else is refused with 400, never skipped: a
 * client asking for what it cannot get should hear so.
 *
 * @param name the repository as the client names it
 * @param actions the actions, never empty
 */
public record Scope(RepositoryName name, Set<Action> actions) {
  /** The most scopes one token request may ask for; more is hostile. */
  public static final int MAX_SCOPES = 32;
  /** The longest single scope: a 255-character name and every action, with room. */
  private static final int MAX_LENGTH = 512;

  public Scope {
    requireNonNull(name, "name");
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("a scope has at least one action");
    }
    actions = Set.copyOf(actions);
  }

  /**
   * What one token request asks for.
   *
   * @param repositories the repository scopes, one per name (actions asked for twice are merged)
   * @param catalog whether {@code registry:catalog:*} was asked for
   */
  public record Requested(List<Scope> repositories, boolean catalog) {
    public Requested {
      repositories = List.copyOf(repositories);
    }

    /** Nothing: {@code docker login} asks for no scope. */
    public static Requested none() {
      return new Requested(List.of(), false);
    }
  }

  /** {@code repository:<name>:<actions>}, the actions in the order pull, push, delete. */
  public String text() {
    return text(name.value(), actions);
  }

  /** {@code repository:<name>:<actions>} for a challenge or an audit line. */
  public static String text(String name, Set<Action> actions) {
    return "repository:" + name + ":" + actionList(actions);
  }

  /** The actions as a scope writes them: {@code pull,push}. */
  public static String actionList(Set<Action> actions) {
    return Arrays.stream(Action.values()).filter(actions::contains).map(Action::scopeName).collect(Collectors.joining(","));
  }

  /**
   * Parses every {@code scope} parameter of a token request; each may hold several scopes
   * separated by spaces, as some clients send them.
   *
   * @throws OciException 400: UNSUPPORTED for a malformed scope, an unknown type or action, or too
   *     many scopes; NAME_INVALID for an invalid repository name
   */
  public static Requested parseAll(List<String> params) {
    Map<RepositoryName, Set<Action>> byName = new LinkedHashMap<>();
    boolean catalog = false;
    int count = 0;
    for (String param : params) {
      for (String piece : param.split(" ", -1)) {
        if (piece.isEmpty()) {
          continue;
        }
        if (++count > MAX_SCOPES) {
          throw malformed("more than " + MAX_SCOPES + " scopes");
        }
        if (piece.equals("registry:catalog:*")) {
          catalog = true;
          continue;
        }
        Scope scope = parse(piece);
        byName.computeIfAbsent(scope.name(), n -> EnumSet.noneOf(Action.class)).addAll(scope.actions());
      }
    }
    List<Scope> scopes = new ArrayList<>(byName.size());
    byName.forEach((name, actions) -> scopes.add(new Scope(name, actions)));
    return new Requested(scopes, catalog);
  }

  /**
   * Parses one {@code repository:<name>:<actions>}.
   *
   * @throws OciException as {@link #parseAll}
   */
  public static Scope parse(String text) {
    if (text.length() > MAX_LENGTH) {
      throw malformed("scope longer than " + MAX_LENGTH + " characters");
    }
    String[] parts = text.split(":", -1);
    if (parts.length != 3) {
      throw malformed("scope '" + shorten(text) + "' is not repository:<name>:<actions>");
    }
    if (!parts[0].equals("repository")) {
      throw malformed("scope type '" + shorten(parts[0]) + "' is not served (repository, or registry:catalog:*)");
    }
    RepositoryName name = RepositoryName.parse(parts[1]);
    EnumSet<Action> actions = EnumSet.noneOf(Action.class);
    for (String action : parts[2].split(",", -1)) {
      if (action.equals("*")) {
        actions.addAll(EnumSet.allOf(Action.class));
      } else {
        actions.add(Action.parse(action));
      }
    }
    return new Scope(name, actions);
  }

  private static OciException malformed(String why) {
    return OciException.withStatus(OciError.UNSUPPORTED, 400, "invalid scope: " + why);
  }

  private static String shorten(String s) {
    String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}

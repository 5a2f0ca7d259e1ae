package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.auth.AccessPolicy.Requirement;
import io.wharf.proxy.auth.AuditLog.Entry;
import io.wharf.proxy.auth.AuditLog.Event;
import io.wharf.proxy.config.AuthConfig;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.upstream.UpstreamResolver;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The access layer on the wire, in one place: who a request is ({@code Authorization} header:
 * none, Basic or Bearer), whether that may do what the request needs, and the answers Docker
 * clients expect when not, as Harbor and registry:2 give them:
 *
 * <ul>
 *   <li>anonymous, needing more: 401 with {@code WWW-Authenticate: Bearer
 *       realm="<scheme>://<host>/service/token",service="wharf",scope="repository:<name>:<actions>"}
 *       (no scope for {@code /v2/}), so clients fetch a token or ask for credentials;
 *   <li>an account without the right: 403 DENIED;
 *   <li>a token without the scope its account could have: 401 with the challenge and {@code
 *       error="insufficient_scope"}, so the client fetches a wider token;
 *   <li>bad credentials or a bad or expired token: 401 with the challenge; a throttled login 429
 *       with {@code Retry-After}.
 * </ul>
 *
 * <p>The admin API needs the admin by Basic auth from a loopback address (its challenge is {@code
 * Basic realm="wharf"}, for curl and the CLI). Open endpoints never look at the header.
 *
 * <p>Thread-safe.
 */
public final class AccessControl {
  /** The challenge of the admin API, which takes Basic credentials only. */
  static final String ADMIN_CHALLENGE = "Basic realm=\"wharf\"";

  /**
   * What access control needs of a request, as the route layer reads it from the connection.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param remote the peer's address
   * @param tokenRealm the token endpoint's absolute URL as this client reaches it ({@code
   *     https://node:30003/service/token}), for the challenge
   * @param errorHeaders headers an error response carries ({@code WWW-Authenticate}, {@code
   *     Retry-After})
   */
  public record Caller(@Nullable String authorization, SocketAddress remote, String tokenRealm, HttpHeaders errorHeaders) {
    public Caller {
      requireNonNull(remote, "remote");
      requireNonNull(tokenRealm, "tokenRealm");
      requireNonNull(errorHeaders, "errorHeaders");
    }

    /** The client's IP address, as the audit log and the throttle key it. */
    public String address() {
      if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
        return inet.getAddress().getHostAddress();
      }
      return String.valueOf(remote);
    }

    @Override
    public String toString() {
      return "Caller[remote=" + remote + ", authorization=" + (authorization == null ? "none" : "<redacted>") + "]";
    }
  }

  /**
   * The repository a request acts on.
   *
   * @param sent the name as the client sent it (what tokens and challenges name)
   * @param project the project it is judged in: a local project, or an upstream's proxy project
   */
  public record Target(RepositoryName sent, String project) {
    public Target {
      requireNonNull(sent, "sent");
      requireNonNull(project, "project");
    }
  }

  /** How a request identified itself. */
  public enum Via {
    NONE,
    BASIC,
    BEARER
  }

  /**
   * Who a request is.
   *
   * @param principal the account, or anonymous
   * @param via how it said so
   * @param token what its bearer token grants; null unless {@code via} is BEARER
   */
  public record Identity(Principal principal, Via via, TokenService.@Nullable Access token) {
    static final Identity NOBODY = new Identity(Principal.anonymous(), Via.NONE, null);

    public Identity {
      requireNonNull(principal, "principal");
      requireNonNull(via, "via");
      if ((via == Via.BEARER) != (token != null)) {
        throw new IllegalArgumentException("a token exactly when via BEARER");
      }
    }
  }

  /**
   * A token issued by {@code /service/token}.
   *
   * @param issued the signed token and its times
   * @param granted what it grants
   */
  public record IssuedToken(TokenService.Issued issued, TokenService.Access granted) {}

  private final AccessPolicy policy;
  private final Authenticator authenticator;
  private final TokenService tokens;
  private final AuditLog audit;
  private final BiFunction<RepositoryName, @Nullable String, Optional<String>> projects;

  /**
   * @param projects the project a repository name as sent (with the mirror's {@code ns}, or null)
   *     is judged in, when no request resolved it (token scopes, a mount's source); empty for a
   *     name wharf does not serve
   */
  public AccessControl(
      AccessPolicy policy,
      Authenticator authenticator,
      TokenService tokens,
      AuditLog audit,
      BiFunction<RepositoryName, @Nullable String, Optional<String>> projects) {
    this.policy = requireNonNull(policy, "policy");
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.tokens = requireNonNull(tokens, "tokens");
    this.audit = requireNonNull(audit, "audit");
    this.projects = requireNonNull(projects, "projects");
  }

  /**
   * The access layer of a configuration: its projects' pull policy, the {@code auth.*} settings,
   * these account stores and audit log, and a new token signing key.
   */
  public static AccessControl create(
      WharfConfig config, AdminPassword admin, RobotAccounts robots, AuditLog audit, Clock clock) {
    AuthConfig auth = config.auth();
    UpstreamResolver resolver = UpstreamResolver.of(config);
    Authenticator authenticator = new Authenticator(
        Authenticator.accounts(admin, robots), LoginThrottle.of(auth), CredentialCache.of(auth), audit, clock);
    return new AccessControl(
        AccessPolicy.of(config), authenticator, new TokenService(auth.tokenTtl(), clock), audit,
        (name, ns) -> projectOf(resolver, name, ns));
  }

  private static Optional<String> projectOf(UpstreamResolver resolver, RepositoryName name, @Nullable String ns) {
    try {
      return Optional.of(resolver.resolve(name, ns, false).accessProject(name));
    } catch (OciException e) {
      return Optional.empty(); // a name nobody serves: nothing to grant on it
    }
  }

  /**
   * Who the request is, if it may do what it needs.
   *
   * @param target the repository, for PULL, PUSH and DELETE
   * @throws OciException UNAUTHORIZED (401, with the challenge in the error headers), DENIED (403)
   *     or TOOMANYREQUESTS (429, with {@code Retry-After})
   */
  public Identity authorize(Caller caller, Requirement requirement, @Nullable Target target) {
    requireNonNull(caller, "caller");
    requireNonNull(requirement, "requirement");
    return switch (requirement) {
      case OPEN -> Identity.NOBODY;
      case ADMIN_API -> adminApi(caller);
      case ACCOUNT -> account(caller);
      case CATALOG -> catalog(caller);
      case PULL, PUSH, DELETE -> repository(caller, requireNonNull(requirement.action()), requireNonNull(target, "target"));
    };
  }

  /**
   * Whether {@code who} may do {@code action} on {@code target}: by its rights and, for a bearer,
   * its token. For a request's second repository (a mount's source), which gets no challenge.
   */
  public boolean allows(Identity who, Action action, Target target) {
    return policy.permits(who.principal(), action, target.project())
        && (who.token() == null || who.token().allows(target.sent().value(), action));
  }

  /** The project {@code name} (as sent, with no {@code ns}) is judged in; empty if wharf serves no such name. */
  public Optional<String> projectOf(RepositoryName name) {
    return projects.apply(name, null);
  }

  /**
   * {@code GET /service/token}: a token for the Basic credentials given (none: anonymous) granting
   * what they may of the scopes asked for.
   *
   * @param scopeParams every {@code scope} query parameter
   * @param ns the {@code ns} query parameter: the registry a mirror client pulls from, which the
   *     challenge's realm carries so that scopes are judged in the project the pulls will be; null
   *     for none
   * @throws OciException 400 for a malformed scope, UNAUTHORIZED for bad credentials (or any
   *     scheme but Basic), TOOMANYREQUESTS when throttled
   */
  public IssuedToken issueToken(Caller caller, List<String> scopeParams, @Nullable String ns) {
    Scope.Requested requested = Scope.parseAll(scopeParams); // before any hashing
    return issue(caller, tokenRequester(caller), requested, ns);
  }

  /**
   * {@code POST /service/token}: the same for credentials sent in the OAuth2 form, checked as
   * Basic ones are (the same throttle, cache and audit).
   *
   * @param scopes each scope the form names
   */
  public IssuedToken issueToken(Caller caller, BasicCredentials credentials, List<String> scopes, @Nullable String ns) {
    Scope.Requested requested = Scope.parseAll(scopes); // before any hashing
    return issue(caller, login(caller, credentials), requested, ns);
  }

  private IssuedToken issue(Caller caller, Principal principal, Scope.Requested requested, @Nullable String ns) {
    Map<String, Set<Action>> granted = new LinkedHashMap<>();
    for (Scope scope : requested.repositories()) {
      projects.apply(scope.name(), ns).ifPresent(project ->
          granted.put(scope.name().value(), policy.permitted(principal, scope.actions(), project)));
    }
    TokenService.Access access = new TokenService.Access(granted, requested.catalog() && principal.isAdmin());
    TokenService.Issued issued = tokens.issue(principal, access);
    if (!principal.isAnonymous()) {
      audit.record(new Entry(Event.TOKEN, principal.name(), caller.address(), null, null, access.describe(), "ok"));
    }
    return new IssuedToken(issued, access);
  }

  /** Records a push or delete that succeeded. */
  public void recordChange(Event event, Identity who, Caller caller, Target target, @Nullable String reference) {
    audit.record(new Entry(event, who.principal().name(), caller.address(), target.sent().value(), reference, null, "ok"));
  }

  /**
   * Forgets remembered password checks: the admin API calls it after resetting the admin password
   * or deleting a robot, so the old credentials fail at once.
   */
  public void credentialsChanged() {
    authenticator.credentialsChanged();
  }

  /** How long tokens live. */
  public TokenService tokens() {
    return tokens;
  }

  private Identity account(Caller caller) {
    Identity who = identify(caller, null);
    if (who.principal().isAnonymous()) {
      throw unauthorized(caller, null, false, "authentication required");
    }
    return who;
  }

  private Identity catalog(Caller caller) {
    String scope = "registry:catalog:*";
    Identity who = identify(caller, scope);
    Principal p = who.principal();
    if (p.isAdmin() && (who.token() == null || who.token().catalog())) {
      return who;
    }
    if (p.isAnonymous()) {
      throw unauthorized(caller, scope, false, "authentication required");
    }
    if (p.isAdmin()) {
      throw unauthorized(caller, scope, true, "the token does not grant " + scope);
    }
    deniedLine(who, caller, null, "forbidden");
    throw new OciException(OciError.DENIED, "the catalog lists every repository: only the admin may read it");
  }

  private Identity repository(Caller caller, Action action, Target target) {
    String scope = Scope.text(target.sent().value(), AccessPolicy.challengeActions(action));
    Identity who = identify(caller, scope);
    boolean permitted = policy.permits(who.principal(), action, target.project());
    boolean inToken = who.token() == null || who.token().allows(target.sent().value(), action);
    if (permitted && inToken) {
      return who;
    }
    if (who.principal().isAnonymous()) {
      if (action != Action.PULL) {
        deniedLine(who, caller, target, "unauthorized");
      }
      throw unauthorized(caller, scope, false, "authentication required to " + action.scopeName() + " " + target.sent());
    }
    if (!permitted) {
      deniedLine(who, caller, target, "forbidden");
      throw new OciException(OciError.DENIED,
          "'" + who.principal().name() + "' may not " + action.scopeName() + " in project '" + target.project() + "'");
    }
    throw unauthorized(caller, scope, true, "the token does not grant " + action.scopeName() + " on " + target.sent());
  }

  private Identity adminApi(Caller caller) {
    if (!(caller.remote() instanceof InetSocketAddress inet && inet.getAddress() != null && inet.getAddress().isLoopbackAddress())) {
      throw new OciException(OciError.DENIED,
          "the admin API answers callers on this host only (loopback), not " + caller.address());
    }
    String header = caller.authorization();
    if (header == null || !scheme(header).equals("basic")) {
      caller.errorHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, ADMIN_CHALLENGE);
      throw new OciException(OciError.UNAUTHORIZED, "the admin API needs the admin's Basic credentials");
    }
    Principal principal;
    try {
      principal = basic(caller, header);
    } catch (OciException e) {
      if (e.error() == OciError.UNAUTHORIZED) {
        caller.errorHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, ADMIN_CHALLENGE);
      }
      throw e;
    }
    Identity who = new Identity(principal, Via.BASIC, null);
    if (!principal.isAdmin()) {
      deniedLine(who, caller, null, "forbidden");
      throw new OciException(OciError.DENIED, "the admin API is the admin's only");
    }
    return who;
  }

  /** The identity of the Authorization header; a bad one is a 401 with the challenge for {@code scope}. */
  private Identity identify(Caller caller, @Nullable String scope) {
    String header = caller.authorization();
    if (header == null || header.isBlank()) {
      return Identity.NOBODY;
    }
    try {
      return switch (scheme(header)) {
        case "basic" -> new Identity(basic(caller, header), Via.BASIC, null);
        case "bearer" -> {
          TokenService.Verified token = tokens.verify(credentials(header));
          yield new Identity(token.principal(), Via.BEARER, token.access());
        }
        default -> throw new OciException(OciError.UNAUTHORIZED, "unsupported authorization scheme");
      };
    } catch (OciException e) {
      if (e.error() == OciError.UNAUTHORIZED) {
        caller.errorHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge(caller, scope, false));
      }
      throw e;
    }
  }

  private Principal tokenRequester(Caller caller) {
    String header = caller.authorization();
    if (header == null || header.isBlank()) {
      return Principal.anonymous();
    }
    if (!scheme(header).equals("basic")) {
      throw new OciException(OciError.UNAUTHORIZED, "the token endpoint takes Basic credentials or none");
    }
    return basic(caller, header);
  }

  private Principal basic(Caller caller, String header) {
    return login(caller, BasicCredentials.parse(credentials(header)));
  }

  private Principal login(Caller caller, BasicCredentials credentials) {
    return authenticator.login(credentials, caller.address(),
        wait -> caller.errorHeaders().set(HttpHeaderNames.RETRY_AFTER, Long.toString(wait.toSeconds())));
  }

  private OciException unauthorized(Caller caller, @Nullable String scope, boolean insufficientScope, String message) {
    caller.errorHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge(caller, scope, insufficientScope));
    return new OciException(OciError.UNAUTHORIZED, message);
  }

  /** {@code Bearer realm="..",service="wharf"[,scope=".."][,error="insufficient_scope"]}. */
  static String challenge(Caller caller, @Nullable String scope, boolean insufficientScope) {
    StringBuilder b = new StringBuilder("Bearer realm=\"")
        .append(caller.tokenRealm())
        .append("\",service=\"")
        .append(TokenService.SERVICE)
        .append('"');
    if (scope != null) {
      b.append(",scope=\"").append(scope).append('"');
    }
    if (insufficientScope) {
      b.append(",error=\"insufficient_scope\"");
    }
    return b.toString();
  }

  private void deniedLine(Identity who, Caller caller, @Nullable Target target, String outcome) {
    audit.record(new Entry(Event.DENIED, who.principal().name(), caller.address(),
        target == null ? null : target.sent().value(), null, null, outcome));
  }

  private static String scheme(String header) {
    String h = header.strip();
    int space = h.indexOf(' ');
    return (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
  }

  private static String credentials(String header) {
    String h = header.strip();
    int space = h.indexOf(' ');
    return space < 0 ? "" : h.substring(space + 1).strip();
  }
}

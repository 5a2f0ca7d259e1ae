package io.wharf.proxy.route;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.auth.AccessControl;
import io.wharf.proxy.auth.AccessControl.Caller;
import io.wharf.proxy.auth.AccessControl.Identity;
import io.wharf.proxy.auth.AccessControl.Target;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.AuditLog.Event;
import io.wharf.proxy.metrics.WharfMetrics;
import io.wharf.proxy.registry.Registry;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.upstream.BreakerState;
import io.wharf.proxy.upstream.Resolution;
import io.wharf.proxy.upstream.UpstreamResolver;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distribution API's resources, one route object each, and the dispatch of a parsed
 * {@link Route} to the method for its verb, after the one access check every request passes
 * ({@link AccessControl}, with the requirement {@link RouteAccess} gives the route). Pushes and
 * deletes that succeed go to the audit log here too.
 *
 * <p>Thread-safe: routes hold only services, which are.
 */
public final class Routes {
  private static final Logger log = LoggerFactory.getLogger(Routes.class);
  /** Methods that change a repository: allowed only in local projects. */
  private static final Set<HttpMethod> WRITES =
      Set.of(HttpMethod.PUT, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE);

  private final BaseRoute base = new BaseRoute();
  private final ManifestRoute manifests;
  private final BlobRoute blobs;
  private final UploadRoute uploads;
  private final TagListRoute tags;
  private final CatalogRoute catalog;
  private final ReferrersRoute referrers;
  private final HealthRoute health;
  private final @Nullable MetricsRoute metrics;
  private final @Nullable UpstreamResolver resolver;
  private final @Nullable AdminEndpoint admin;
  private final TokenRoute token;
  private final AccessControl access;

  /**
   * What the operational endpoints ({@code /metrics}, {@code /healthz}, {@code /readyz}) show.
   *
   * @param metrics the registry {@code /metrics} scrapes
   * @param upstreams each upstream's breaker state, read per {@code /readyz} request
   * @param ready whether storage is open and wharf can serve; false makes {@code /readyz} 503
   */
  public record Extras(WharfMetrics metrics, Supplier<Map<String, BreakerState>> upstreams, BooleanSupplier ready) {
    public Extras {
      requireNonNull(metrics, "metrics");
      requireNonNull(upstreams, "upstreams");
      requireNonNull(ready, "ready");
    }

    /** Extras for a wharf that is ready whenever it answers (storage opens before the server). */
    public static Extras of(WharfMetrics metrics, Supplier<Map<String, BreakerState>> upstreams) {
      return new Extras(metrics, upstreams, () -> true);
    }
  }

  /**
   * Routes of the local registry alone (tests of the local registry): every name taken as sent,
   * no operational extras, no admin API.
   *
   * @param registry the services behind the API
   * @param maxManifestSize the cap on a pushed manifest's body, in bytes
   * @param access who may do what; every request passes it
   */
  public Routes(Registry registry, int maxManifestSize, AccessControl access) {
    this(registry, maxManifestSize, null, null, null, access);
  }

  /**
   * @param registry the services behind the API
   * @param maxManifestSize the cap on a pushed manifest's body, in bytes
   * @param extras what {@code /metrics} and {@code /readyz} show; without it {@code /metrics} is
   *     404 and {@code /readyz} lists no upstreams
   * @param resolver resolves each request's repository name to the name it is stored under, once,
   *     before dispatch (DESIGN.md "Which upstream a request means"); null takes every name as
   *     sent, as the local registry of issue 2 did (tests of the local registry only: the daemon
   *     passes {@code UpstreamResolver.of(config)})
   * @param admin answers {@code /api/wharf/v1/...}; null makes those paths 404
   * @param access who may do what: checked for every request after its name is resolved and
   *     before any route runs
   */
  public Routes(
      Registry registry,
      int maxManifestSize,
      @Nullable Extras extras,
      @Nullable UpstreamResolver resolver,
      @Nullable AdminEndpoint admin,
      AccessControl access) {
    requireNonNull(registry, "registry");
    this.access = requireNonNull(access, "access");
    this.resolver = resolver;
    this.admin = admin;
    this.health = extras == null ? new HealthRoute(Map::of, () -> true) : new HealthRoute(extras.upstreams(), extras.ready());
    this.metrics = extras == null ? null : new MetricsRoute(extras.metrics());
    this.manifests = new ManifestRoute(registry.manifests(), maxManifestSize);
    this.blobs = new BlobRoute(registry.blobs());
    this.uploads = new UploadRoute(registry.uploads(), registry.blobs());
    this.tags = new TagListRoute(registry.listings());
    this.catalog = new CatalogRoute(registry.listings());
    this.referrers = new ReferrersRoute(registry.listings());
    this.token = new TokenRoute(access);
  }

  /**
   * Answers the request, or returns the consumer of its body when the route reads one (the
   * answer then comes at {@link BodyConsumer#end}). A body of a request whose route reads none is
   * the caller's to discard.
   *
   * @throws io.wharf.oci.OciException whatever the route or its service refuses
   */
  public @Nullable BodyConsumer dispatch(Exchange exchange, Route parsed) {
    Resolved resolved = resolve(parsed);
    Caller caller = caller(exchange, parsed.param("ns"));
    Identity who = access.authorize(caller, RouteAccess.of(parsed.kind(), parsed.method()), resolved.target());
    Route route = resolved.route();
    Target target = resolved.target();
    HttpMethod method = route.method();
    switch (route.kind()) {
      case BASE -> base.get(exchange);
      case TOKEN -> {
        if (method.equals(HttpMethod.POST)) {
          return token.post(exchange, route, caller);
        }
        token.get(exchange, route, caller);
      }
      case CATALOG -> catalog.get(exchange, route);
      case TAGS -> tags.get(exchange, route);
      case REFERRERS -> referrers.get(exchange, route);
      case MANIFEST -> {
        if (method.equals(HttpMethod.PUT)) {
          BodyConsumer body = manifests.put(exchange, route);
          return afterEnd(body, () -> recordChange(Event.PUSH, who, caller, target, route));
        } else if (method.equals(HttpMethod.DELETE)) {
          manifests.delete(exchange, route);
          recordChange(Event.DELETE, who, caller, target, route);
        } else {
          manifests.get(exchange, route);
        }
      }
      case BLOB -> {
        if (method.equals(HttpMethod.DELETE)) {
          blobs.delete(exchange, route);
          recordChange(Event.DELETE, who, caller, target, route);
        } else {
          blobs.get(exchange, route);
        }
      }
      case UPLOAD_START -> {
        return uploads.start(exchange, mountChecked(route, who));
      }
      case UPLOAD -> {
        if (method.equals(HttpMethod.PATCH)) {
          return uploads.patch(exchange, route);
        } else if (method.equals(HttpMethod.PUT)) {
          return uploads.put(exchange, route);
        } else if (method.equals(HttpMethod.DELETE)) {
          uploads.cancel(exchange, route);
        } else {
          uploads.status(exchange, route);
        }
      }
      case HEALTH -> health.healthz(exchange);
      case READY -> health.readyz(exchange);
      case METRICS -> {
        if (metrics == null) {
          throw Route.notFound(route.path());
        }
        metrics.get(exchange);
      }
      case ADMIN -> {
        if (admin == null) {
          throw Route.notFound(route.path());
        }
        return admin.handle(exchange, route);
      }
      case NOT_FOUND -> throw Route.notFound(route.path());
    }
    return null;
  }

  /** A route naming its repository as stored, and the repository access rules judge it by. */
  private record Resolved(Route route, @Nullable Target target) {}

  /**
   * The route naming the repository as stored: {@code ?ns=} or the name's prefix picks an upstream
   * or a local project, and a write anywhere but a local project is DENIED here, before any route
   * or service runs. Routes never branch on local versus proxied themselves. The target keeps the
   * name as sent and the project it is judged in.
   */
  private Resolved resolve(Route route) {
    RepositoryName sent = route.name();
    if (sent == null) {
      return new Resolved(route, null);
    }
    if (resolver == null) {
      return new Resolved(route, new Target(sent, sent.project()));
    }
    Resolution resolution = resolver.resolve(sent, route.param("ns"), WRITES.contains(route.method()));
    log.atDebug()
        .addKeyValue("name", sent)
        .addKeyValue("canonical", resolution.canonical())
        .addKeyValue("row", resolution.row())
        .log("resolved repository");
    Route named = resolution.canonical().equals(sent) ? route : route.withName(resolution.canonical());
    return new Resolved(named, new Target(sent, resolution.accessProject(sent)));
  }

  /**
   * The upload start without its mount when the caller may not pull the source: mounting copies
   * a blob of another repository into this one, so it needs what reading it would. The spec's
   * answer to a mount that cannot happen is a new session, which the client then fills.
   */
  private Route mountChecked(Route route, Identity who) {
    String from = route.param("from");
    if (route.param("mount") == null || from == null) {
      return route;
    }
    boolean allowed;
    try {
      RepositoryName source = RepositoryName.parse(from);
      Optional<String> project = access.projectOf(source);
      allowed = project.isPresent() && access.allows(who, Action.PULL, new Target(source, project.get()));
    } catch (OciException e) {
      allowed = false; // an invalid source: the route falls back to a session anyway
    }
    if (allowed) {
      return route;
    }
    Map<String, List<String>> query = new HashMap<>(route.query());
    query.remove("mount");
    query.remove("from");
    return new Route(route.kind(), route.method(), route.path(), route.name(), route.reference(), route.digest(),
        route.uploadId(), query, route.sentName());
  }

  private void recordChange(Event event, Identity who, Caller caller, @Nullable Target target, Route route) {
    if (target == null) {
      return;
    }
    String reference = route.reference() != null ? route.reference().toString()
        : route.digest() != null ? route.digest().toString() : null;
    access.recordChange(event, who, caller, target, reference);
  }

  /** The body consumer that runs {@code done} once {@code body} has answered successfully. */
  private static BodyConsumer afterEnd(BodyConsumer body, Runnable done) {
    return new BodyConsumer() {
      @Override
      public void content(ByteBuf content) {
        body.content(content);
      }

      @Override
      public void end() {
        body.end();
        done.run();
      }

      @Override
      public void abort() {
        body.abort();
      }
    };
  }

  /** What access control reads of the request. */
  private static Caller caller(Exchange exchange, @Nullable String ns) {
    return new Caller(
        exchange.header(HttpHeaderNames.AUTHORIZATION),
        exchange.remoteAddress(),
        tokenRealm(exchange, ns),
        exchange.errorHeaders());
  }

  /**
   * The token endpoint's URL as this client reaches wharf: its scheme (TLS or not) and the {@code
   * Host} it sent, or the address it connected to when the header is missing or holds anything
   * but a host and port (it goes into a response header).
   */
  static String tokenRealm(Exchange exchange, @Nullable String ns) {
    String scheme = exchange.isSecure() ? "https" : "http";
    String host = exchange.header(HttpHeaderNames.HOST);
    if (host == null || !isHostAndPort(host)) {
      host = hostOf(exchange.localAddress());
    }
    // a mirror client's registry: its token request keeps the realm's query and adds the scopes
    String query = ns != null && isHostAndPort(ns) ? "?ns=" + ns : "";
    return scheme + "://" + host + Router.TOKEN_PATH + query;
  }

  private static boolean isHostAndPort(String host) {
    if (host.isEmpty() || host.length() > 261) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String hostOf(SocketAddress local) {
    if (local instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String ip = inet.getAddress().getHostAddress();
      int zone = ip.indexOf('%');
      if (zone >= 0) {
        ip = ip.substring(0, zone);
      }
      return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
    }
    return "localhost";
  }
}

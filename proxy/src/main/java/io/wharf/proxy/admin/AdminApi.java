package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.route.AdminEndpoint;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.Route;
import io.wharf.proxy.route.Router;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import io.wharf.storage.Pin;
import io.wharf.storage.Progress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, {@code /api/wharf/v1/}, for loopback callers only (403 DENIED otherwise):
 *
 * <pre>
 * GET    status                                      {"status":"ok","data":"/var/lib/wharf"}: the CLI's probe
 * GET    pins                                        {"pins":[{image, repository, reference, digest, pinnedAt, source}]}
 * PUT    pins?image=IMAGE                            pins a cached image: the pin
 * DELETE pins?image=IMAGE                            {"unpinned":true|false}
 * POST   prefetch?image=IMAGE&amp;image=...              NDJSON progress ({@link ProgressEvents})
 * GET    images                                      {"images":[...]}                    (MaintenanceTasks)
 * POST   import?path=P&amp;...&amp;project=P&amp;name=REF        NDJSON progress                     (MaintenanceTasks)
 * POST   export?output=FILE&amp;image=IMAGE&amp;...           NDJSON progress                     (MaintenanceTasks)
 * POST   gc?dryRun=true|false                        NDJSON progress                     (MaintenanceTasks)
 * POST   fsck?deep=..&amp;repair=..                      NDJSON progress                     (MaintenanceTasks)
 * POST   index/rebuild                               NDJSON progress                     (MaintenanceTasks)
 * POST   admin/password/reset                        {"password":"..."}                  (AccountAdmin)
 * GET    robots                                      {"robots":[...]}                    (AccountAdmin)
 * POST   robots                                      JSON body: the robot and its secret (AccountAdmin)
 * DELETE robots/NAME                                 {"deleted":true}                    (AccountAdmin)
 * </pre>
 *
 * Arguments are query parameters; only {@code POST robots} takes a body (JSON, 64 KiB at most). A task streams its events as it runs and
 * ends with a summary or an error event; the HTTP status is 200 once the stream started. Paths
 * are absolute paths on the daemon's host, where the caller runs too. Without
 * {@link MaintenanceTasks} its routes answer 501 UNSUPPORTED.
 *
 * <p>Handlers parse and check arguments, then call one service method; tasks run one at a time
 * on the {@code tasks} executor, never on the route thread.
 */
public final class AdminApi implements AdminEndpoint {
  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  /** A stream with no event for this long gets a tick, so no idle timeout closes it. */
  static final long HEARTBEAT_MILLIS = 5_000;

  private final WharfConfig config;
  private final PinService pins;
  private final PrefetchService prefetch;
  private final @Nullable MaintenanceTasks maintenance;
  private final ExecutorService tasks;
  private final ScheduledExecutorService timer;
  private final @Nullable AccountAdmin accounts;

  /**
   * An admin API without the account resources (they answer 501).
   *
   * @param maintenance the storage maintenance tasks, or null while none is implemented
   * @param tasks runs long tasks, one at a time
   * @param timer sends heartbeats
   */
  public AdminApi(
      WharfConfig config,
      PinService pins,
      PrefetchService prefetch,
      @Nullable MaintenanceTasks maintenance,
      ExecutorService tasks,
      ScheduledExecutorService timer) {
    this(config, pins, prefetch, maintenance, tasks, timer, null);
  }

  /**
   * @param maintenance the storage maintenance tasks, or null while none is implemented
   * @param tasks runs long tasks, one at a time
   * @param timer sends heartbeats
   * @param adminPassword the admin account's password, which {@code admin/password/reset} replaces
   * @param robots the robot accounts {@code robots} lists, creates and deletes
   * @param onCredentialsChanged called after a password reset or a robot's deletion, so that
   *     logins remembered as successful are forgotten and the old credentials fail at once
   */
  public AdminApi(
      WharfConfig config,
      PinService pins,
      PrefetchService prefetch,
      @Nullable MaintenanceTasks maintenance,
      ExecutorService tasks,
      ScheduledExecutorService timer,
      AdminPassword adminPassword,
      RobotAccounts robots,
      Runnable onCredentialsChanged) {
    this(config, pins, prefetch, maintenance, tasks, timer,
        new AccountAdmin(adminPassword, robots, onCredentialsChanged));
  }

  private AdminApi(
      WharfConfig config,
      PinService pins,
      PrefetchService prefetch,
      @Nullable MaintenanceTasks maintenance,
      ExecutorService tasks,
      ScheduledExecutorService timer,
      @Nullable AccountAdmin accounts) {
    this.config = requireNonNull(config, "config");
    this.pins = requireNonNull(pins, "pins");
    this.prefetch = requireNonNull(prefetch, "prefetch");
    this.maintenance = maintenance;
    this.tasks = requireNonNull(tasks, "tasks");
    this.timer = requireNonNull(timer, "timer");
    this.accounts = accounts;
  }

  @Override
  public @Nullable BodyConsumer handle(Exchange exchange, Route route) {
    AdminAccess.requireLoopback(exchange.remoteAddress());
    String path = route.path().substring(Router.ADMIN_PREFIX.length());
    HttpMethod method = route.method();
    if (AccountAdmin.handles(path)) {
      if (accounts == null) {
        throw OciException.withStatus(
            OciError.UNSUPPORTED, 501, route.path() + " is not available in this build of wharf");
      }
      return accounts.handle(exchange, route, path);
    }
    switch (path) {
      case "status" -> {
        allow(method, route, HttpMethod.GET);
        ObjectNode body = Responses.mapper().createObjectNode()
            .put("status", "ok")
            .put("data", config.storage().path().toString());
        json(exchange, HttpResponseStatus.OK, body);
      }
      case "pins" -> pins(exchange, route);
      case "prefetch" -> {
        allow(method, route, HttpMethod.POST);
        List<String> images = values(route, "image");
        images.forEach(i -> ImageRef.resolve(i, config)); // a bad name is a 4xx, before any stream
        stream(exchange, progress -> prefetch.prefetch(images, progress));
      }
      case "images" -> {
        allow(method, route, HttpMethod.GET);
        ArrayNode list = Responses.mapper().createArrayNode();
        for (MaintenanceTasks.ImageListing image : maintenance(route).images()) {
          list.add(Responses.mapper().valueToTree(image));
        }
        ObjectNode body = Responses.mapper().createObjectNode();
        body.set("images", list);
        json(exchange, HttpResponseStatus.OK, body);
      }
      case "import" -> {
        allow(method, route, HttpMethod.POST);
        MaintenanceTasks tasks = maintenance(route);
        List<Path> paths = values(route, "path").stream().map(p -> absolute(p, "path")).toList();
        String project = route.param("project") == null ? config.storage().importProject() : route.param("project");
        var request = new MaintenanceTasks.ImportRequest(paths, project, route.param("name"));
        stream(exchange, progress -> tasks.importBundles(request, progress));
      }
      case "export" -> {
        allow(method, route, HttpMethod.POST);
        MaintenanceTasks tasks = maintenance(route);
        Path output = absolute(required(route, "output"), "output");
        List<String> images = values(route, "image");
        images.forEach(i -> ImageRef.resolve(i, config));
        stream(exchange, progress -> tasks.export(output, images, progress));
      }
      case "gc" -> {
        allow(method, route, HttpMethod.POST);
        MaintenanceTasks tasks = maintenance(route);
        boolean dryRun = flag(route, "dryRun");
        stream(exchange, progress -> tasks.gc(dryRun, progress));
      }
      case "fsck" -> {
        allow(method, route, HttpMethod.POST);
        MaintenanceTasks tasks = maintenance(route);
        boolean deep = flag(route, "deep");
        boolean repair = flag(route, "repair");
        stream(exchange, progress -> tasks.fsck(deep, repair, progress));
      }
      case "index/rebuild" -> {
        allow(method, route, HttpMethod.POST);
        MaintenanceTasks tasks = maintenance(route);
        stream(exchange, tasks::rebuildIndex);
      }
      default -> throw new OciException(OciError.NAME_UNKNOWN, "no such admin resource: " + route.path());
    }
    return null;
  }

  private void pins(Exchange exchange, Route route) {
    HttpMethod method = route.method();
    if (method.equals(HttpMethod.GET)) {
      ArrayNode list = Responses.mapper().createArrayNode();
      for (Pin pin : pins.list()) {
        list.add(toJson(pin));
      }
      ObjectNode body = Responses.mapper().createObjectNode();
      body.set("pins", list);
      json(exchange, HttpResponseStatus.OK, body);
    } else if (method.equals(HttpMethod.PUT)) {
      json(exchange, HttpResponseStatus.OK, toJson(pins.pin(required(route, "image"))));
    } else if (method.equals(HttpMethod.DELETE)) {
      boolean had = pins.unpin(required(route, "image"));
      json(exchange, HttpResponseStatus.OK, Responses.mapper().createObjectNode().put("unpinned", had));
    } else {
      throw unsupported(route);
    }
  }

  /** A pin as the API and {@code wharf pin} show it. */
  static ObjectNode toJson(Pin pin) {
    return Responses.mapper().createObjectNode()
        .put("repository", pin.repo().value())
        .put("reference", pin.reference().toString())
        .put("digest", pin.digest().toString())
        .put("pinnedAt", pin.pinnedAt())
        .put("source", pin.source());
  }

  private void stream(Exchange exchange, Function<Progress, TaskSummary> task) {
    HttpHeaders headers = Responses.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, ProgressEvents.MEDIA_TYPE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    Exchange.Stream out = exchange.startStream(HttpResponseStatus.OK, headers);
    ProgressEvents.Writer events = new ProgressEvents.Writer(
        line -> out.write(Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8)), System::currentTimeMillis);
    ScheduledFuture<?> beat = timer.scheduleAtFixedRate(
        () -> events.heartbeat(HEARTBEAT_MILLIS), 1, 1, TimeUnit.SECONDS);
    Runnable run = () -> {
      try {
        events.summary(task.apply(events));
      } catch (OciException e) {
        events.error(e);
      } catch (RuntimeException e) {
        log.atError().setCause(e).log("admin task failed");
        events.error(new OciException(OciError.UNKNOWN, "the task failed: " + e));
      } finally {
        beat.cancel(false);
        out.end();
      }
    };
    try {
      tasks.execute(run);
    } catch (RejectedExecutionException e) {
      beat.cancel(false);
      events.error(new OciException(OciError.UNAVAILABLE, "wharf is shutting down"));
      out.end();
    }
  }

  private MaintenanceTasks maintenance(Route route) {
    if (maintenance == null) {
      throw OciException.withStatus(
          OciError.UNSUPPORTED, 501, route.path() + " is not available in this build of wharf");
    }
    return maintenance;
  }

  static void allow(HttpMethod method, Route route, HttpMethod allowed) {
    if (!method.equals(allowed)) {
      throw unsupported(route);
    }
  }

  private static OciException unsupported(Route route) {
    return new OciException(OciError.UNSUPPORTED, "method " + route.method().name() + " is not supported on " + route.path());
  }

  private static String required(Route route, String name) {
    String value = route.param(name);
    if (value == null || value.isEmpty()) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "query parameter '" + name + "' is required");
    }
    return value;
  }

  private static List<String> values(Route route, String name) {
    List<String> values = route.query().getOrDefault(name, List.of());
    if (values.isEmpty() || values.stream().anyMatch(String::isEmpty)) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "query parameter '" + name + "' is required");
    }
    return values;
  }

  private static boolean flag(Route route, String name) {
    String value = route.param(name);
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.isEmpty() || value.equals("true")) {
      return true;
    }
    throw OciException.withStatus(OciError.UNSUPPORTED, 400, "query parameter '" + name + "' must be true or false");
  }

  private static Path absolute(String text, String name) {
    Path path;
    try {
      path = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "'" + name + "' is not a path: " + e.getReason());
    }
    if (!path.isAbsolute()) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "'" + name + "' must be an absolute path");
    }
    return path.normalize();
  }

  static void json(Exchange exchange, HttpResponseStatus status, Object body) {
    HttpHeaders headers = Responses.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    exchange.send(status, headers, Responses.json(body));
  }
}

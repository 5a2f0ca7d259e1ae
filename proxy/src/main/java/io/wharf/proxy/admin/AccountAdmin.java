package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.route.BodyConsumer;
import io.wharf.proxy.route.Route;
import io.wharf.proxy.route.http.Exchange;
import io.wharf.proxy.route.http.Responses;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The accounts part of the admin API ({@link AdminApi} checks the caller and routes here):
 *
 * <pre>
 * POST   admin/password/reset   {"password":"..."}: a new generated admin password (403 DENIED when config owns it)
 * GET    robots                 {"robots":[{name, loginName, grants, expiresAt, createdAt, expired}]}
 * POST   robots                 body {"name":"ci","grants":{"project":["pull","push"]},"expiresAt":ISO-8601|null}
 *                               201 {robot..., "secret":"..."}: the secret, shown this once
 * DELETE robots/NAME            {"deleted":true}, 404 NAME_UNKNOWN when there is none
 * </pre>
 *
 * A reset or a delete calls {@code onCredentialsChanged}, so that logins cached as successful
 * (the old password, the deleted robot's secret) stop working at once.
 */
final class AccountAdmin {
  static final String RESET = "admin/password/reset";
  static final String ROBOTS = "robots";

  private final AdminPassword password;
  private final RobotAccounts robots;
  private final Runnable onCredentialsChanged;

  AccountAdmin(AdminPassword password, RobotAccounts robots, Runnable onCredentialsChanged) {
    this.password = requireNonNull(password, "password");
    this.robots = requireNonNull(robots, "robots");
    this.onCredentialsChanged = requireNonNull(onCredentialsChanged, "onCredentialsChanged");
  }

  /** Whether {@code path} (below the API prefix) is one of these resources. */
  static boolean handles(String path) {
    return path.equals(RESET) || path.equals(ROBOTS) || path.startsWith(ROBOTS + "/");
  }

  @Nullable BodyConsumer handle(Exchange exchange, Route route, String path) {
    HttpMethod method = route.method();
    if (path.equals(RESET)) {
      AdminApi.allow(method, route, HttpMethod.POST);
      String fresh = password.reset();
      onCredentialsChanged.run();
      AdminApi.json(exchange, HttpResponseStatus.OK, Responses.mapper().createObjectNode().put("password", fresh));
      return null;
    }
    if (path.equals(ROBOTS)) {
      if (method.equals(HttpMethod.GET)) {
        list(exchange);
        return null;
      }
      AdminApi.allow(method, route, HttpMethod.POST);
      return JsonBody.of(exchange, body -> create(exchange, body));
    }
    String name = path.substring(ROBOTS.length() + 1);
    AdminApi.allow(method, route, HttpMethod.DELETE);
    Robot.checkName(name);
    if (!robots.delete(name)) {
      throw new OciException(OciError.NAME_UNKNOWN, "no robot account named '" + name + "'");
    }
    onCredentialsChanged.run();
    AdminApi.json(exchange, HttpResponseStatus.OK, Responses.mapper().createObjectNode().put("deleted", true));
    return null;
  }

  private void list(Exchange exchange) {
    Instant now = Instant.now();
    ArrayNode list = Responses.mapper().createArrayNode();
    for (Robot robot : robots.list()) {
      list.add(RobotJson.toJson(robot).put("expired", robot.expired(now)));
    }
    ObjectNode body = Responses.mapper().createObjectNode();
    body.set("robots", list);
    AdminApi.json(exchange, HttpResponseStatus.OK, body);
  }

  private void create(Exchange exchange, JsonNode body) {
    JsonNode name = body.path("name");
    if (!name.isTextual()) {
      throw OciException.withStatus(OciError.UNSUPPORTED, 400, "\"name\" (the robot's name, like ci) is required");
    }
    RobotAccounts.Created created = robots.create(
        name.asText(), RobotJson.grants(body.path("grants")), RobotJson.instant(body.path("expiresAt"), "expiresAt"));
    ObjectNode answer = RobotJson.toJson(created.robot()).put("secret", created.secret());
    AdminApi.json(exchange, HttpResponseStatus.CREATED, answer);
  }
}

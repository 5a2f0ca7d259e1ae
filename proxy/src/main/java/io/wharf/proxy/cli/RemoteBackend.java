package io.wharf.proxy.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.admin.MaintenanceTasks;
import io.wharf.proxy.admin.RobotJson;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.auth.RobotAccounts;
import io.wharf.proxy.route.http.Responses;
import io.wharf.proxy.admin.TaskSummary;
import io.wharf.storage.Progress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The running daemon, through its admin API. */
final class RemoteBackend implements Backend {
  private final AdminClient client;

  RemoteBackend(AdminClient client) {
    this.client = requireNonNull(client, "client");
  }

  @Override
  public String describe() {
    return "the running daemon at " + client.base();
  }

  @Override
  public String pin(String image) {
    return client.pin(image).path("digest").asText();
  }

  @Override
  public boolean unpin(String image) {
    return client.unpin(image);
  }

  @Override
  public TaskSummary prefetch(List<String> images, Progress progress) {
    return client.task("prefetch", Map.of("image", images), progress);
  }

  @Override
  public MaintenanceTasks maintenance() {
    return new RemoteMaintenance(client);
  }

  @Override
  public String resetAdminPassword() {
    return client.call("POST", "admin/password/reset", Map.of()).path("password").asText();
  }

  @Override
  public List<Robot> robots() {
    List<Robot> robots = new ArrayList<>();
    for (JsonNode robot : client.call("GET", "robots", Map.of()).path("robots")) {
      robots.add(RobotJson.fromJson(robot));
    }
    return robots;
  }

  @Override
  public RobotAccounts.Created createRobot(String name, Map<String, Set<Action>> grants, @Nullable Instant expiresAt) {
    ObjectNode body = Responses.mapper().createObjectNode().put("name", name);
    body.set("grants", RobotJson.grantsToJson(grants));
    body.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
    JsonNode created = client.call("POST", "robots", Map.of(), body);
    return new RobotAccounts.Created(RobotJson.fromJson(created), created.path("secret").asText());
  }

  @Override
  public boolean deleteRobot(String name) {
    try {
      return client.call("DELETE", "robots/" + name, Map.of()).path("deleted").asBoolean();
    } catch (OciException e) {
      if (e.error() == OciError.NAME_UNKNOWN) {
        return false;
      }
      throw e;
    }
  }
}

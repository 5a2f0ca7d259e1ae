package io.wharf.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.route.http.Responses;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Robot accounts as the admin API writes and reads them, and the CLI with it:
 *
 * <pre>
 * {"name":"ci","loginName":"robot$ci","grants":{"spectro-images":["pull","push"]},
 *  "expiresAt":"2027-01-01T00:00:00Z"|null,"createdAt":"2026-..."}
 * </pre>
 */
public final class RobotJson {
  private RobotJson() {}

  /** A robot as the API shows it (never with a secret or its hash). */
  public static ObjectNode toJson(Robot robot) {
    ObjectNode node = Responses.mapper().createObjectNode()
        .put("name", robot.name())
        .put("loginName", robot.loginName());
    node.set("grants", grantsToJson(robot.grants()));
    node.put("expiresAt", robot.expiresAt() == null ? null : robot.expiresAt().toString());
    node.put("createdAt", robot.createdAt().toString());
    return node;
  }

  /** A robot from {@link #toJson}. */
  public static Robot fromJson(JsonNode node) {
    return new Robot(
        node.path("name").asText(),
        grants(node.path("grants")),
        instant(node.path("expiresAt"), "expiresAt"),
        requireInstant(node.path("createdAt"), "createdAt"));
  }

  /** {@code {"project":["pull","push"]}}. */
  public static ObjectNode grantsToJson(Map<String, Set<Action>> grants) {
    ObjectNode node = Responses.mapper().createObjectNode();
    new TreeMap<>(grants).forEach((project, actions) -> {
      ArrayNode list = node.putArray(project);
      EnumSet.copyOf(actions).forEach(a -> list.add(a.scopeName()));
    });
    return node;
  }

  /**
   * Grants from {@code {"project":["pull","push"]}}.
   *
   * @throws OciException UNSUPPORTED (400) when it is not that shape or names an unknown action
   */
  public static Map<String, Set<Action>> grants(JsonNode node) {
    if (!node.isObject()) {
      throw badRequest("\"grants\" must be an object of project to actions, like {\"team\":[\"pull\",\"push\"]}");
    }
    Map<String, Set<Action>> grants = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> grant = it.next();
      if (!grant.getValue().isArray()) {
        throw badRequest("the grants of '" + grant.getKey() + "' must be a list of actions (pull, push, delete)");
      }
      List<Action> actions = new ArrayList<>();
      for (JsonNode action : grant.getValue()) {
        if (!action.isTextual()) {
          throw badRequest("an action must be a string (pull, push or delete)");
        }
        actions.add(Action.parse(action.asText()));
      }
      grants.put(grant.getKey(), actions.isEmpty() ? Set.of() : EnumSet.copyOf(actions));
    }
    return grants;
  }

  /**
   * An ISO-8601 instant ({@code 2027-01-01T00:00:00Z}, or with an offset), or null for a missing
   * or null field.
   *
   * @throws OciException UNSUPPORTED (400) for anything else
   */
  public static @Nullable Instant instant(JsonNode node, String field) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw badRequest("\"" + field + "\" must be an ISO-8601 time (2027-01-01T00:00:00Z) or null");
    }
    try {
      return OffsetDateTime.parse(node.asText()).toInstant();
    } catch (DateTimeParseException e) {
      throw badRequest("\"" + field + "\" is not an ISO-8601 time with a zone (2027-01-01T00:00:00Z): " + e.getMessage());
    }
  }

  private static Instant requireInstant(JsonNode node, String field) {
    Instant instant = instant(node, field);
    if (instant == null) {
      throw badRequest("\"" + field + "\" is missing");
    }
    return instant;
  }

  private static OciException badRequest(String message) {
    return OciException.withStatus(OciError.UNSUPPORTED, 400, message);
  }
}

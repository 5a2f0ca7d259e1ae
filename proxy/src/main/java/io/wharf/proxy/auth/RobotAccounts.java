package io.wharf.proxy.auth;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The robot accounts, kept in {@code <data>/robots.json} (mode 0600), rewritten whole and
 * atomically (temp file, fsync, rename) on every change. Secrets are kept only as bcrypt hashes:
 * {@link #create} returns a new robot's secret once, and nothing can show it again.
 *
 * <pre>
 * {"robots":[{"name":"ci","grants":{"spectro-images":["pull","push"]},
 *             "expiresAt":"2027-01-01T00:00:00Z"|null,"createdAt":"...","secretHash":"$2y$10$..."}]}
 * </pre>
 *
 * <p>Thread-safe: changes are serialized and publish a new immutable snapshot; {@link #check}
 * hashes outside any lock.
 */
public final class RobotAccounts {
  private static final Logger log = LoggerFactory.getLogger(RobotAccounts.class);
  static final String FILE = "robots.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A robot and the hash of its secret. */
  private record Entry(Robot robot, String secretHash) {}

  /** A robot just made, with its secret: shown once, kept nowhere. */
  public record Created(Robot robot, String secret) {
    public Created {
      requireNonNull(robot, "robot");
      requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
      return "Created[robot=" + robot + ", secret=<redacted>]";
    }
  }

  private final Path file;
  private volatile Map<String, Entry> robots;

  private RobotAccounts(Path file, Map<String, Entry> robots) {
    this.file = file;
    this.robots = robots;
  }

  /**
   * Reads {@code <data>/robots.json}; none yet means no robots (the file is written by the first
   * {@link #create}).
   *
   * @throws OciException UNKNOWN when the file cannot be read or is not what this class writes
   */
  public static RobotAccounts open(Path dataRoot) {
    Path file = file(dataRoot);
    SecretFiles.removeLeftovers(file);
    SecretFiles.tightenMode(file);
    Map<String, Entry> robots = SecretFiles.read(file).map(text -> parse(file, text)).orElse(Map.of());
    log.atDebug().addKeyValue("file", file).addKeyValue("robots", robots.size()).log("robot accounts");
    return new RobotAccounts(file, robots);
  }

  /** {@code <data>/robots.json}. */
  public static Path file(Path dataRoot) {
    return dataRoot.resolve(FILE);
  }

  /**
   * Makes a robot with a new generated secret.
   *
   * @param expiresAt when its logins stop working, or null for never; must be in the future
   * @throws OciException NAME_INVALID (400) for an invalid name, project or grants, an expiry in the
   *     past, or a name another robot has (409)
   */
  public synchronized Created create(String name, Map<String, Set<Action>> grants, @Nullable Instant expiresAt) {
    Instant now = Instant.now();
    Robot robot = new Robot(name, grants, expiresAt, now);
    if (robot.expired(now)) {
      throw new OciException(OciError.NAME_INVALID, "robot '" + name + "' would expire at once: " + expiresAt + " is not in the future");
    }
    if (robots.containsKey(name)) {
      throw OciException.withStatus(OciError.NAME_INVALID, 409, "a robot named '" + name + "' exists; delete it first");
    }
    String secret = PasswordHasher.generate();
    Map<String, Entry> next = new TreeMap<>(robots);
    next.put(name, new Entry(robot, PasswordHasher.hash(secret)));
    save(next);
    log.atInfo().addKeyValue("robot", robot.loginName()).addKeyValue("grants", grantsText(robot.grants()))
        .addKeyValue("expiresAt", expiresAt == null ? "never" : expiresAt).log("robot account created");
    return new Created(robot, secret);
  }

  /** Every robot, by name, expired ones included. */
  public List<Robot> list() {
    return robots.values().stream().map(Entry::robot).toList();
  }

  /**
   * Deletes a robot; its logins fail from now (callers caching successful logins must forget
   * them).
   *
   * @return whether there was one with that name
   */
  public synchronized boolean delete(String name) {
    if (!robots.containsKey(name)) {
      return false;
    }
    Map<String, Entry> next = new TreeMap<>(robots);
    next.remove(name);
    save(next);
    log.atInfo().addKeyValue("robot", Robot.PREFIX + name).log("robot account deleted");
    return true;
  }

  /** Whether a robot of this login name ({@code robot$ci}) exists, expired or not. */
  public boolean exists(String loginName) {
    return loginName.startsWith(Robot.PREFIX) && robots.get(loginName.substring(Robot.PREFIX.length())) != null;
  }

  /**
   * The robot with this login name ({@code robot$ci}) and secret, unexpired at {@code now}; empty
   * for anything else. Takes a bcrypt check (tens of ms) when the robot exists.
   */
  public Optional<Robot> check(String loginName, String secret, Instant now) {
    if (!loginName.startsWith(Robot.PREFIX)) {
      return Optional.empty();
    }
    Entry entry = robots.get(loginName.substring(Robot.PREFIX.length()));
    if (entry == null || entry.robot().expired(now) || !PasswordHasher.matches(secret, entry.secretHash())) {
      return Optional.empty();
    }
    return Optional.of(entry.robot());
  }

  // team=pull,push;dockerhub=pull
  private static String grantsText(Map<String, Set<Action>> grants) {
    StringBuilder text = new StringBuilder();
    grants.forEach((project, actions) -> {
      text.append(text.length() == 0 ? "" : ";").append(project).append('=');
      text.append(String.join(",", EnumSet.copyOf(actions).stream().map(Action::scopeName).toList()));
    });
    return text.toString();
  }

  private void save(Map<String, Entry> next) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("robots");
    for (Entry entry : next.values()) {
      Robot robot = entry.robot();
      ObjectNode node = list.addObject().put("name", robot.name());
      ObjectNode grants = node.putObject("grants");
      robot.grants().forEach((project, actions) -> {
        ArrayNode names = grants.putArray(project);
        EnumSet.copyOf(actions).forEach(a -> names.add(a.scopeName()));
      });
      node.put("expiresAt", robot.expiresAt() == null ? null : robot.expiresAt().toString());
      node.put("createdAt", robot.createdAt().toString());
      node.put("secretHash", entry.secretHash());
    }
    try {
      SecretFiles.write(file, JSON.writeValueAsString(root) + "\n");
    } catch (JsonProcessingException e) {
      throw SecretFiles.failure("cannot write " + file, e);
    }
    this.robots = Collections.unmodifiableMap(next); // a TreeMap: list() by name
  }

  private static Map<String, Entry> parse(Path file, String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw malformed(file, "not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.path("robots").isArray()) {
      throw malformed(file, "no \"robots\" array", null);
    }
    Map<String, Entry> robots = new TreeMap<>();
    int index = 0;
    for (JsonNode node : root.get("robots")) {
      String where = "robots[" + index++ + "]";
      Entry entry;
      try {
        entry = entry(node);
      } catch (RuntimeException e) { // OciException from the checks, DateTimeParseException
        throw malformed(file, where + ": " + e.getMessage(), e);
      }
      if (robots.put(entry.robot().name(), entry) != null) {
        throw malformed(file, where + ": a second robot named '" + entry.robot().name() + "'", null);
      }
    }
    return Collections.unmodifiableMap(robots);
  }

  private static Entry entry(JsonNode node) {
    String name = text(node, "name");
    String hash = text(node, "secretHash");
    if (!PasswordHasher.looksLikeHash(hash)) {
      throw new IllegalArgumentException("\"secretHash\" is not a bcrypt hash");
    }
    JsonNode grantsNode = node.path("grants");
    if (!grantsNode.isObject()) {
      throw new IllegalArgumentException("no \"grants\" object");
    }
    Map<String, Set<Action>> grants = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = grantsNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> grant = it.next();
      if (!grant.getValue().isArray()) {
        throw new IllegalArgumentException("grants of '" + grant.getKey() + "' are not a list");
      }
      List<Action> actions = new ArrayList<>();
      for (JsonNode action : grant.getValue()) {
        actions.add(Action.parse(action.asText()));
      }
      grants.put(grant.getKey(), actions.isEmpty() ? Set.of() : EnumSet.copyOf(actions));
    }
    JsonNode expires = node.path("expiresAt");
    Instant expiresAt = expires.isMissingNode() || expires.isNull() ? null : Instant.parse(expires.asText());
    Instant createdAt = Instant.parse(text(node, "createdAt"));
    return new Entry(new Robot(name, grants, expiresAt, createdAt), hash);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("no \"" + field + "\" text");
    }
    return value.asText();
  }

  private static OciException malformed(Path file, String problem, @Nullable Throwable cause) {
    String message = file + " is malformed (" + problem + "); fix or remove it (removing it deletes every robot account)";
    return cause == null ? new OciException(OciError.UNKNOWN, message) : new OciException(OciError.UNKNOWN, message, cause);
  }
}

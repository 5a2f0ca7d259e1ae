package io.wharf.proxy.cli;

import io.wharf.proxy.auth.Action;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** {@code wharf robot ls}: every robot account with its grants and expiry (never a secret). */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List robot accounts: login, grants, expiry.")
final class RobotLsCommand extends BackendCommand {
  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    List<Robot> robots = backend.robots();
    Instant now = Instant.now();
    out.printf("%-32s %-21s %-21s %s%n", "LOGIN", "EXPIRES", "CREATED", "GRANTS");
    for (Robot robot : robots) {
      String expires = robot.expiresAt() == null ? "never"
          : seconds(robot.expiresAt()) + (robot.expired(now) ? " (expired)" : "");
      out.printf("%-32s %-21s %-21s %s%n", robot.loginName(), expires, seconds(robot.createdAt()), grants(robot.grants()));
    }
    out.flush();
    return 0;
  }

  /** {@code dockerhub=pull; team=pull,push}. */
  static String grants(Map<String, Set<Action>> grants) {
    return new TreeMap<>(grants).entrySet().stream()
        .map(g -> g.getKey() + "=" + EnumSet.copyOf(g.getValue()).stream().map(Action::scopeName)
            .collect(Collectors.joining(",")))
        .collect(Collectors.joining("; "));
  }

  private static String seconds(Instant instant) {
    return instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}

package io.wharf.proxy.cli;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.proxy.auth.Robot;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf robot delete NAME}: its logins fail from then on. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a robot account; its logins fail at once.")
final class RobotDeleteCommand extends BackendCommand {
  @Parameters(paramLabel = "NAME", description = "The robot's name, with or without robot$.")
  String name;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    String bare = name.startsWith(Robot.PREFIX) ? name.substring(Robot.PREFIX.length()) : name;
    Robot.checkName(bare);
    if (!backend.deleteRobot(bare)) {
      throw new OciException(OciError.NAME_UNKNOWN, "there is no robot account named '" + bare + "'");
    }
    out.println("deleted " + Robot.PREFIX + bare);
    out.flush();
    return 0;
  }
}

package io.wharf.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wharf robot create|ls|delete}: robot accounts, for CI and other machines that push or
 * pull; they log in as {@code robot$NAME} with the secret shown once at creation.
 */
@Command(
    name = "robot",
    mixinStandardHelpOptions = true,
    description = "Robot accounts: create, list, delete.",
    subcommands = {RobotCreateCommand.class, RobotLsCommand.class, RobotDeleteCommand.class})
final class RobotCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}

package io.wharf.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wharf admin ...}: the admin account ({@code wharf admin password --show|--reset}). */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "The admin account.",
    subcommands = AdminPasswordCommand.class)
final class AdminCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}

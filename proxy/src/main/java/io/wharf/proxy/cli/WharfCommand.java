package io.wharf.proxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wharf}: the root command of the daemon's jar; {@code wharf serve} runs the registry, {@code
 * wharf containerd-config} writes the containerd mirror configuration for it.
 */
@Command(
    name = "wharf",
    mixinStandardHelpOptions = true,
    versionProvider = WharfCommand.JarVersion.class,
    description = "Pull-through OCI registry cache for edge Kubernetes clusters.",
    subcommands = {ServeCommand.class, ContainerdConfigCommand.class})
public final class WharfCommand implements Runnable {
  /** Exit status of a configuration error: the operator must fix the config. */
  static final int EXIT_CONFIG = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new WharfCommand()).execute(args));
  }

  /** {@code wharf} alone prints the usage. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version written into the jar's manifest by the build ({@code Implementation-Version}). */
  static final class JarVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = WharfCommand.class.getPackage().getImplementationVersion();
      return new String[] {"wharf " + (version == null ? "(development build)" : version)};
    }
  }
}

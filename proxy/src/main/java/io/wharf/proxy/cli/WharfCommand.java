package io.wharf.proxy.cli;

import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.ConfigLoader;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wharf}: the root command of the daemon's jar; {@code wharf serve} runs the registry, {@code
 * wharf containerd-config} writes the containerd mirror configuration for it, and the maintenance
 * verbs ({@code prefetch}, {@code pin}, {@code unpin}) run in the daemon through its admin API
 * when it is up, or in this process on the storage when it is not; so do the account verbs
 * ({@code admin password --reset}, {@code robot create|ls|delete}), which log in as admin with the
 * password from the config or the data folder.
 */
@Command(
    name = "wharf",
    mixinStandardHelpOptions = true,
    versionProvider = WharfCommand.JarVersion.class,
    description = "Pull-through OCI registry cache for edge Kubernetes clusters.",
    subcommands = {
      ServeCommand.class,
      ContainerdConfigCommand.class,
      PrefetchCommand.class,
      PinCommand.class,
      UnpinCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      LsCommand.class,
      GcCommand.class,
      FsckCommand.class,
      IndexCommand.class,
      AdminCommand.class,
      RobotCommand.class
    })
public final class WharfCommand implements Runnable {
  /** Exit status of a configuration error: the operator must fix the config. */
  static final int EXIT_CONFIG = 2;

  /**
   * Loads the config every subcommand runs on: the embedded defaults, then {@code file}, then the
   * environment. A bad config is the user's to fix, so it is printed as one line, no stack trace.
   *
   * @return the config, or empty after printing why there is none (exit with {@link #EXIT_CONFIG})
   */
  static Optional<WharfConfig> loadConfig(@Nullable Path file, PrintWriter err) {
    try {
      return Optional.of(ConfigLoader.load(Optional.ofNullable(file), System.getenv()));
    } catch (ConfigException e) {
      err.println("wharf: " + e.getMessage());
      err.flush();
      return Optional.empty();
    }
  }

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

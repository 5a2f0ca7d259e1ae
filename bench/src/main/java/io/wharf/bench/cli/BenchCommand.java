package io.wharf.bench.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar wharf-bench.jar seed|run|jmh ...}: the load generator's entry point. */
@Command(name = "wharf-bench", mixinStandardHelpOptions = true, versionProvider = BenchCommand.Version.class,
    description = "Side-by-side benchmark of OCI registries and caches on loopback (issue 4).",
    subcommands = {SeedCommand.class, RunCommand.class, JmhCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with every subcommand, as main runs it (tests use it too). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.getSubcommands().get("jmh").getCommandSpec().parser().stopAtUnmatched(true);
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** The jar's Implementation-Version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BenchCommand.class.getPackage().getImplementationVersion();
      return new String[] {"wharf-bench " + (v == null ? "(development build)" : v)};
    }
  }
}

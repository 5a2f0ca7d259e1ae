package io.wharf.proxy.cli;

import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wharf index rebuild}: recreates the RocksDB index from the files alone.
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = "The RocksDB index over the data folder.",
    subcommands = IndexCommand.Rebuild.class)
final class IndexCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code wharf index rebuild}. */
  @Command(name = "rebuild", mixinStandardHelpOptions = true, description = "Recreate the index from the files alone.")
  static final class Rebuild extends BackendCommand {
    @Override
    int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
      return TaskRun.show(out, env, progress -> backend.maintenance().rebuildIndex(progress));
    }
  }
}

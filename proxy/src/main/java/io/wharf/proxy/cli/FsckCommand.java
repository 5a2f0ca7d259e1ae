package io.wharf.proxy.cli;

import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf fsck [--deep] [--repair]}: checks that every indexed blob exists with its size
 * (and digest with {@code --deep}), every link resolves, and no file is an orphan.
 *
 * <p>Not registered in {@link WharfCommand} until {@code MaintenanceTasks} has its storage-backed
 * implementation.
 */
@Command(name = "fsck", mixinStandardHelpOptions = true, description = "Check the data folder against the index.")
final class FsckCommand extends BackendCommand {
  @Option(names = "--deep", description = "Verify every blob's digest too (reads every byte).")
  boolean deep;

  @Option(names = "--repair", description = "Fix the index where it disagrees with the files.")
  boolean repair;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return TaskRun.show(out, env, progress -> backend.maintenance().fsck(deep, repair, progress));
  }
}

package io.wharf.proxy.cli;

import io.wharf.proxy.admin.TaskSummary;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf fsck [--deep] [--repair]}: checks that every indexed blob exists with its size
 * (and digest with {@code --deep}), every link resolves, and no file is an orphan. Exits 1 when it
 * found damage it did not repair.
 */
@Command(name = "fsck", mixinStandardHelpOptions = true, description = "Check the data folder against the index.")
final class FsckCommand extends BackendCommand {
  @Option(names = "--deep", description = "Verify every blob's digest too (reads every byte).")
  boolean deep;

  @Option(names = "--repair", description = "Fix the index where it disagrees with the files.")
  boolean repair;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    long[] problems = {0};
    TaskRun.show(out, env, progress -> {
      TaskSummary summary = backend.maintenance().fsck(deep, repair, progress);
      problems[0] = summary.counts().getOrDefault("problems", 0L);
      return summary;
    });
    // like fsck(8): 1 when damage was found and left as it is, so scripts and monitoring notice
    return problems[0] > 0 && !repair ? 1 : 0;
  }
}

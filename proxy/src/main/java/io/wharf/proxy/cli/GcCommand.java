package io.wharf.proxy.cli;

import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf gc [--dry-run]}: removes blobs no tag, manifest, pin or open upload references,
 * older than {@code storage.gcGrace}.
 */
@Command(name = "gc", mixinStandardHelpOptions = true, description = "Remove unreferenced blobs.")
final class GcCommand extends BackendCommand {
  @Option(names = "--dry-run", description = "Report what would be removed; remove nothing.")
  boolean dryRun;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return TaskRun.show(out, env, progress -> backend.maintenance().gc(dryRun, progress));
  }
}

package io.wharf.proxy.cli;

import io.wharf.proxy.admin.TaskSummary;
import io.wharf.storage.Progress;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Function;

/** Runs one long task with the progress display, ending it with the summary or clearing it on failure. */
final class TaskRun {
  private TaskRun() {}

  static int show(PrintWriter out, Map<String, String> env, Function<Progress, TaskSummary> task) {
    ProgressDisplay display = ProgressDisplay.on(out, env);
    try {
      display.finish(task.apply(display));
      return 0;
    } catch (RuntimeException e) {
      display.abandon();
      throw e;
    }
  }
}

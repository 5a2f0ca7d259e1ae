package io.wharf.proxy.cli;

import io.wharf.oci.OciException;
import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * A maintenance verb: loads the config, finds where to run ({@link Backend#find}: the running
 * daemon's admin API, or this process), runs, and turns a refusal into one line on standard error.
 *
 * <p>Exit status: 0 done, 1 the task failed (its error printed), 2 a configuration error.
 */
abstract class BackendCommand implements Callable<Integer> {
  /** Exit status of a task that failed. */
  static final int EXIT_FAILED = 1;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The daemon's YAML config (storage.path, server.http.listen, upstreams); optional.")
  @Nullable Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<WharfConfig> loaded = WharfCommand.loadConfig(config, err);
    if (loaded.isEmpty()) {
      return WharfCommand.EXIT_CONFIG;
    }
    Map<String, String> env = System.getenv();
    try {
      Backend backend = Backend.find(loaded.get(), env);
      return run(backend, loaded.get(), out, err, env);
    } catch (ConfigException e) {
      err.println("wharf: " + e.getMessage());
      err.flush();
      return WharfCommand.EXIT_CONFIG;
    } catch (OciException | UncheckedIOException e) {
      out.flush();
      err.println("wharf: " + e.getMessage());
      err.flush();
      return EXIT_FAILED;
    }
  }

  /** Runs the verb; a refusal is thrown as an {@link OciException}. */
  abstract int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env);
}

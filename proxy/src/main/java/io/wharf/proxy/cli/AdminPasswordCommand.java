package io.wharf.proxy.cli;

import io.wharf.oci.OciException;
import io.wharf.proxy.auth.AdminPassword;
import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf admin password --show | --reset}: reads back the admin password wharf generated
 * ({@code <storage.path>/admin-password}), or sets a new generated one: through the running
 * daemon's admin API when one answers (effective at once), otherwise in the data folder directly
 * (effective at the next start).
 *
 * <p>Standard output carries the password alone, so that scripts can capture it; everything else
 * goes to standard error. When {@code auth.admin.password} (or {@code WHARF_AUTH_ADMIN_PASSWORD})
 * sets the password, there is no file to show and {@code --reset} refuses: the config owns it.
 *
 * <p>Exit status: 0 done, 1 nothing to show or refused (the reason printed), 2 a configuration or
 * usage error.
 */
@Command(
    name = "password",
    mixinStandardHelpOptions = true,
    description = "Show the generated admin password, or reset it to a new generated one.")
final class AdminPasswordCommand implements Callable<Integer> {
  static final String CONFIG_OWNS =
      "the admin password is set by config (auth.admin.password or WHARF_AUTH_ADMIN_PASSWORD)";

  static final class Mode {
    @Option(names = "--show", required = true, description = "Print the password from <storage.path>/admin-password.")
    boolean show;

    @Option(names = "--reset", required = true,
        description = "Set a new generated password (through the running daemon when it answers) and print it.")
    boolean reset;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Mode action;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The daemon's YAML config (storage.path, server.http.listen, auth.admin.password); optional.")
  @Nullable Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<WharfConfig> loaded = WharfCommand.loadConfig(config, err);
    if (loaded.isEmpty()) {
      return WharfCommand.EXIT_CONFIG;
    }
    WharfConfig wharf = loaded.get();
    try {
      return action.show ? show(wharf, out, err) : reset(wharf, out, err);
    } catch (ConfigException e) {
      return fail(err, e.getMessage(), WharfCommand.EXIT_CONFIG);
    } catch (OciException | UncheckedIOException e) {
      return fail(err, e.getMessage(), BackendCommand.EXIT_FAILED);
    }
  }

  private static int show(WharfConfig config, PrintWriter out, PrintWriter err) {
    if (config.auth().admin().passwordFromConfig()) {
      return fail(err, CONFIG_OWNS + ": it is not kept in the data folder, and not shown", BackendCommand.EXIT_FAILED);
    }
    Path data = config.storage().path();
    Optional<String> password = AdminPassword.readPasswordFile(data);
    if (password.isEmpty()) {
      return fail(err, "there is no " + AdminPassword.passwordFile(data) + ": wharf writes it on its first start"
          + " unless the daemon's config sets auth.admin.password (is this the daemon's config, --config?)",
          BackendCommand.EXIT_FAILED);
    }
    out.println(password.get());
    out.flush();
    return 0;
  }

  private static int reset(WharfConfig config, PrintWriter out, PrintWriter err) {
    if (config.auth().admin().passwordFromConfig()) {
      return fail(err, CONFIG_OWNS + ": change it there; --reset does not override it", BackendCommand.EXIT_FAILED);
    }
    Backend backend = Backend.find(config, System.getenv());
    String password = backend.resetAdminPassword();
    out.println(password);
    out.flush();
    err.println("wharf: admin password reset by " + backend.describe() + "; kept in "
        + AdminPassword.passwordFile(config.storage().path()));
    err.flush();
    return 0;
  }

  private static int fail(PrintWriter err, String message, int status) {
    err.println("wharf: " + message);
    err.flush();
    return status;
  }
}

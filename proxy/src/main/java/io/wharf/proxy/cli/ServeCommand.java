package io.wharf.proxy.cli;

import io.wharf.proxy.config.ConfigException;
import io.wharf.proxy.config.WharfConfig;
import io.wharf.proxy.daemon.Daemon;
import io.wharf.proxy.server.WharfServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wharf serve [--config FILE]}: opens storage, starts the HTTP server, and runs until
 * SIGTERM or SIGINT, when a shutdown hook stops the server and then closes storage.
 *
 * <p>Exit status: 2 for a configuration error (its message printed, no stack trace), 1 when
 * storage or the listener cannot start.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the registry.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML config over the embedded defaults (wharf-default.yaml); optional.")
  @Nullable Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Optional<WharfConfig> loaded = WharfCommand.loadConfig(config, err);
    if (loaded.isEmpty()) {
      return WharfCommand.EXIT_CONFIG;
    }
    WharfConfig wharf = loaded.get();
    Running running;
    try {
      running = Running.start(wharf);
    } catch (ConfigException e) {
      // found only at start, such as an HTTPS key that is not the certificate's: the operator's to fix
      log.atError().log("wharf could not start: " + e.getMessage());
      err.println("wharf: " + e.getMessage());
      err.flush();
      return WharfCommand.EXIT_CONFIG;
    } catch (RuntimeException e) {
      log.atError().setCause(e).log("wharf could not start");
      err.println("wharf: could not start: " + e.getMessage());
      err.flush();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "wharf-shutdown"));
    var https = running.server.httpsAddress();
    log.atInfo()
        .addKeyValue("address", running.server.address().getHostString() + ":" + running.server.port())
        .addKeyValue("httpsAddress", https == null ? "off" : https.getHostString() + ":" + https.getPort())
        .addKeyValue("data", wharf.storage().path())
        .addKeyValue("transport", running.server.transport())
        .log("wharf serving");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The daemon, closed by the shutdown hook. */
  private record Running(Daemon daemon, WharfServer server) implements AutoCloseable {
    static Running start(WharfConfig config) {
      Daemon daemon = Daemon.start(config, System.getenv());
      return new Running(daemon, daemon.server());
    }

    @Override
    public void close() {
      daemon.close();
      log.atInfo().log("wharf stopped");
    }
  }
}

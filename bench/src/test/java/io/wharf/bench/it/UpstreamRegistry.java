package io.wharf.bench.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's docker-registry (CNCF distribution 2.8) as the upstream: filesystem storage and delete
 * enabled in a temp folder, its access log (stdout) in a file the bench reads.
 */
final class UpstreamRegistry implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/bin/docker-registry");

  private final ChildProcess process;
  private final int port;
  private final Path storage;

  private UpstreamRegistry(ChildProcess process, int port, Path storage) {
    this.process = process;
    this.port = port;
    this.storage = storage;
  }

  static UpstreamRegistry start(Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new AssertionError(BINARY + " is missing: apt-get install docker-registry (.ci/run does)");
    }
    Path storage = Files.createDirectories(dir.resolve("data"));
    Path config = dir.resolve("config.yml");
    Path log = dir.resolve("registry.log");
    for (int attempt = 1; ; attempt++) {
      int port = ChildProcess.freePort();
      Files.writeString(config, """
          version: 0.1
          log:
            level: warn
            formatter: text
            accesslog:
              disabled: false
          storage:
            filesystem:
              rootdirectory: "%s"
            delete:
              enabled: true
            maintenance:
              uploadpurging:
                enabled: false
          http:
            addr: "127.0.0.1:%d"
            secret: wharf-bench-it
          health:
            storagedriver:
              enabled: false
          """.formatted(storage, port));
      // distribution reads REGISTRY_* variables over its config file: none may leak in
      ChildProcess p = ChildProcess.start("docker-registry", List.of(BINARY.toString(), "serve", config.toString()),
          dir, log, Map.of(), List.of("REGISTRY_"));
      if (p.awaitHttp(URI.create("http://127.0.0.1:" + port + "/v2/"), Duration.ofSeconds(30))) {
        return new UpstreamRegistry(p, port, storage);
      }
      if (!p.diedOfAddressInUse() || attempt == 5) {
        throw new AssertionError("docker-registry exited on port " + port + "\n" + p.log());
      }
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** Access log and application log, interleaved, as the bench's --upstream-log. */
  Path log() {
    return process.logFile();
  }

  Path storage() {
    return storage;
  }

  String logText() {
    return process.log();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}

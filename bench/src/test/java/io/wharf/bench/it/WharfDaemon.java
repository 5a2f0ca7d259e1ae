package io.wharf.bench.it;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * wharf as the bench launches it: {@code deploy/bin/wharf serve --config <yaml>} with
 * WHARF_JAR=proxy/target/wharf.jar, pulling through the upstream registry as {@code defaultUpstream}.
 * The launcher execs java, so the child's pid is wharf's.
 */
final class WharfDaemon implements AutoCloseable {

  private final ChildProcess process;
  private final int port;

  private WharfDaemon(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  static WharfDaemon start(Path repoRoot, Path dir, String upstreamUrl) throws IOException, InterruptedException {
    Path launcher = repoRoot.resolve("deploy/bin/wharf");
    Path jar = repoRoot.resolve("proxy/target/wharf.jar");
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: build the reactor (mvn package) first");
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    Path config = dir.resolve("wharf.yaml");
    Path log = dir.resolve("wharf.log");
    for (int attempt = 1; ; attempt++) {
      int port = ChildProcess.freePort();
      Files.writeString(config, """
          server: {http: {listen: '127.0.0.1:%d'}, https: {listen: ''}}
          storage: {path: '%s'}
          upstreams:
            - {name: bench-upstream, host: 'upstream.bench:5000', url: '%s', tagTtl: 5m}
          defaultUpstream: 'upstream.bench:5000'
          """.formatted(port, data, upstreamUrl));
      // WHARF_* variables override config keys: none may leak in from the environment
      ChildProcess p = ChildProcess.start("wharf", List.of(launcher.toString(), "serve", "--config", config.toString()),
          dir, log, Map.of("WHARF_JAR", jar.toString(), "WHARF_DATA", data.toString()), List.of("WHARF_"));
      if (p.awaitHttp(URI.create("http://127.0.0.1:" + port + "/v2/"), Duration.ofSeconds(60))) {
        return new WharfDaemon(p, port);
      }
      if (!p.diedOfAddressInUse() || attempt == 5) {
        throw new AssertionError("wharf exited on port " + port + "\n" + p.log());
      }
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  String logText() {
    return process.log();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}

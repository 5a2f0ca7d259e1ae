package io.wharf.proxy.cli;

import io.wharf.proxy.admin.ImageRef;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf prefetch IMAGE...}: pulls whole images (every configured platform) through the
 * cache ahead of time, how an operator readies a site before it goes offline. With the daemon
 * running it runs in the daemon; otherwise this process starts wharf on an ephemeral loopback
 * port and pulls through it.
 */
@Command(
    name = "prefetch",
    mixinStandardHelpOptions = true,
    description = "Pull whole images (every configured platform) into the cache ahead of time.")
final class PrefetchCommand extends BackendCommand {
  @Parameters(
      arity = "1..*",
      paramLabel = "IMAGE",
      description = "References with their host, Docker-normalised: nginx:1.27 is docker.io/library/nginx:1.27.")
  List<String> images;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    images.forEach(i -> ImageRef.resolve(i, config)); // every name checked before anything is fetched
    return TaskRun.show(out, env, progress -> backend.prefetch(images, progress));
  }
}

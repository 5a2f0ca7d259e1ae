package io.wharf.proxy.cli;

import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf pin IMAGE}: eviction never removes a pinned image. The image must be cached (a tag
 * pins the manifest it names now); the pin is a file under the data root as well as an index
 * entry, so it survives an index rebuild.
 */
@Command(
    name = "pin",
    mixinStandardHelpOptions = true,
    description = "Pin a cached image, so that eviction never removes it.")
final class PinCommand extends BackendCommand {
  @Parameters(
      paramLabel = "IMAGE",
      description = "A reference with its host, Docker-normalised: nginx is docker.io/library/nginx:latest.")
  String image;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    String digest = backend.pin(image);
    out.println("pinned " + ImageNames.shown(image, config) + " (" + digest + ")");
    out.flush();
    return 0;
  }
}

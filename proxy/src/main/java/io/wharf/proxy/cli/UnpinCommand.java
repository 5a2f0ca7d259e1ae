package io.wharf.proxy.cli;

import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wharf unpin IMAGE}: the image stays cached, and eviction may now remove it. */
@Command(
    name = "unpin",
    mixinStandardHelpOptions = true,
    description = "Remove an image's pin; it stays cached until eviction needs the space.")
final class UnpinCommand extends BackendCommand {
  @Parameters(paramLabel = "IMAGE", description = "A reference with its host, Docker-normalised, as pinned.")
  String image;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    String shown = ImageNames.shown(image, config);
    out.println(backend.unpin(image) ? "unpinned " + shown : shown + " was not pinned");
    out.flush();
    return 0;
  }
}

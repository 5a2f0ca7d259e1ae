package io.wharf.proxy.cli;

import io.wharf.proxy.admin.Bytes;
import io.wharf.proxy.admin.MaintenanceTasks.ImageListing;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code wharf ls}: every cached image with its size, last pull, pull count and pin.
 */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List cached images: size, last pull, pulls, pinned.")
final class LsCommand extends BackendCommand {
  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    List<ImageListing> images = backend.maintenance().images();
    out.printf("%-60s %10s %-20s %6s %s%n", "IMAGE", "SIZE", "LAST PULL", "PULLS", "PINNED");
    for (ImageListing image : images) {
      String lastPull = image.lastPull() == 0 ? "never" : Instant.ofEpochMilli(image.lastPull()).toString().substring(0, 19) + "Z";
      out.printf("%-60s %10s %-20s %6d %s%n", image.image(), Bytes.format(image.size()), lastPull, image.pulls(),
          image.pinned() ? "yes" : "no");
    }
    out.flush();
    return 0;
  }
}

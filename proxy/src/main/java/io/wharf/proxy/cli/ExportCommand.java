package io.wharf.proxy.cli;

import io.wharf.proxy.admin.ImageRef;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf export --output FILE IMAGE...}: writes cached images as one zstd-compressed OCI
 * layout tar, which {@code wharf import} and {@code skopeo copy oci-archive:} read.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Write cached images as an OCI layout (.tar.zst) bundle.")
final class ExportCommand extends BackendCommand {
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The bundle to write, e.g. bundle.tar.zst.")
  Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Cached images, references with their host.")
  List<String> images;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    images.forEach(i -> ImageRef.resolve(i, config));
    Path file = output.toAbsolutePath().normalize();
    return TaskRun.show(out, env, progress -> backend.maintenance().export(file, images, progress));
  }
}

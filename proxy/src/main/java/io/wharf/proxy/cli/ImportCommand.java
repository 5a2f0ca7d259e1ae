package io.wharf.proxy.cli;

import io.wharf.proxy.admin.MaintenanceTasks.ImportRequest;
import io.wharf.proxy.config.WharfConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code wharf import [--project P] [--name REF] PATH...}: loads bundles (OCI layouts, docker
 * save archives, as folders or tars, zstd or gzip compressed or not) into the cache, pinned, under
 * their upstream names and listed in the project.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Import image bundles (OCI layout or docker save; tar, tar.zst, tar.gz) and pin them.")
final class ImportCommand extends BackendCommand {
  @Option(names = "--project", paramLabel = "P", description = "Local project to list the images in (default: storage.importProject).")
  @Nullable String project;

  @Option(names = "--name", paramLabel = "REF", description = "Image name for a bundle that names none.")
  @Nullable String name;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Bundles: folders or archives.")
  List<Path> paths;

  @Override
  int run(Backend backend, WharfConfig config, PrintWriter out, PrintWriter err, Map<String, String> env) {
    String target = project == null ? config.requireImportProject().name() : project;
    List<Path> absolute = paths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    ImportRequest request = new ImportRequest(absolute, target, name);
    return TaskRun.show(out, env, progress -> backend.maintenance().importBundles(request, progress));
  }
}

package io.wharf.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The verbs whose storage tasks are not in this build: their options parse as documented, and
 * {@code wharf} does not offer them, so none can pretend to work.
 */
final class MaintenanceVerbsTest {
  @Test
  void wharfOffersEveryMaintenanceVerb() {
    assertThat(new CommandLine(new WharfCommand()).getSubcommands()).containsOnlyKeys(
        "serve", "containerd-config", "prefetch", "pin", "unpin", "import", "export", "ls", "gc", "fsck", "index",
        "admin", "robot");
  }

  @Test
  void importTakesPathsAProjectAndAName() {
    ImportCommand command = new ImportCommand();
    new CommandLine(command).parseArgs("--config", "w.yaml", "--project", "edge", "--name", "nginx:1.27", "a.tar.zst", "b");

    assertThat(command.paths).containsExactly(Path.of("a.tar.zst"), Path.of("b"));
    assertThat(command.project).isEqualTo("edge");
    assertThat(command.name).isEqualTo("nginx:1.27");
    assertThat(command.config).isEqualTo(Path.of("w.yaml"));
  }

  @Test
  void exportNeedsAnOutputAndImages() {
    ExportCommand command = new ExportCommand();
    new CommandLine(command).parseArgs("--output", "bundle.tar.zst", "nginx:1.27", "ghcr.io/org/app:1");

    assertThat(command.output).isEqualTo(Path.of("bundle.tar.zst"));
    assertThat(command.images).containsExactly("nginx:1.27", "ghcr.io/org/app:1");
  }

  @Test
  void gcFsckAndIndexRebuildTakeTheirFlags() {
    GcCommand gc = new GcCommand();
    new CommandLine(gc).parseArgs("--dry-run");
    FsckCommand fsck = new FsckCommand();
    new CommandLine(fsck).parseArgs("--deep", "--repair");
    CommandLine index = new CommandLine(new IndexCommand());

    assertThat(gc.dryRun).isTrue();
    assertThat(fsck.deep).isTrue();
    assertThat(fsck.repair).isTrue();
    assertThat(index.getSubcommands()).containsOnlyKeys("rebuild");
    assertThat(new CommandLine(new LsCommand()).parseArgs().matchedArgs()).isEmpty();
  }
}

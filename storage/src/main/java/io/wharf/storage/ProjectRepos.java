package io.wharf.storage;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.storage.index.Column;
import io.wharf.storage.index.Index;
import io.wharf.storage.index.IndexBatch;
import io.wharf.storage.index.Keys;
import io.wharf.storage.layout.AtomicFiles;
import io.wharf.storage.layout.Layout;
import io.wharf.storage.layout.PathGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which repositories a local project lists besides its own: imported images keep their canonical
 * upstream names ({@code docker.io/library/nginx}) so mirror pulls find them, and are listed in the
 * project the bundle was imported into ({@code spectro-images}).
 *
 * <p>Each membership is a marker file {@code _wharf/projects/<project>/<repo>/_member} (the truth,
 * so an index rebuilt from the files keeps it, as pins do) and an index entry {@code project NUL
 * repo} in {@link Column#PROJECT_REPOS} (for listing). {@code _member} cannot be a repository
 * component (components start with a letter or digit), so it never meets a repository's folder.
 *
 * <p>Thread-safe; writes are rare (imports) and serialised. The file is written first, durably, so
 * a crash between the two leaves a membership that {@link #reindex()} finds.
 */
public final class ProjectRepos {
  private static final Logger log = LoggerFactory.getLogger(ProjectRepos.class);
  private static final String MARKER = "_member";

  private final Layout layout;
  private final Index index;
  private final Path root;
  private final PathGuard guard;

  ProjectRepos(Layout layout, Index index) {
    this.layout = layout;
    this.index = index;
    this.root = layout.root().resolve("_wharf/projects");
    this.guard = new PathGuard(layout.root());
  }

  /** The folder holding every membership marker. */
  public Path root() {
    return root;
  }

  /**
   * Lists {@code repo} in {@code project}; adding it again changes nothing.
   *
   * @throws OciException NAME_INVALID when the project is not a single name component
   */
  public synchronized void add(String project, RepositoryName repo) {
    requireProject(project);
    Path marker = marker(project, repo);
    if (!Files.exists(marker)) {
      AtomicFiles.write(marker, new byte[0], layout.tmpDir());
    }
    if (!index.contains(Column.PROJECT_REPOS, Keys.of(project, repo.value()))) {
      index.write(new IndexBatch().put(Column.PROJECT_REPOS, Keys.of(project, repo.value()), new byte[0]));
    }
  }

  /** The repositories listed in {@code project}, in lexical order. */
  public List<RepositoryName> list(String project) {
    requireProject(project);
    List<RepositoryName> out = new ArrayList<>();
    index.scan(Column.PROJECT_REPOS, project + Keys.SEP, null, (key, value) -> {
      out.add(RepositoryName.parse(Keys.last(key)));
      return true;
    });
    return out;
  }

  /** Makes the index's memberships equal the marker files (after an index rebuild); returns how many. */
  public synchronized int reindex() {
    IndexBatch batch = new IndexBatch();
    for (String key : index.keys(Column.PROJECT_REPOS, "")) {
      batch.delete(Column.PROJECT_REPOS, key);
    }
    int n = 0;
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : (Iterable<Path>) files.filter(f -> f.getFileName().toString().equals(MARKER))::iterator) {
          Path rel = root.relativize(file);
          int parts = rel.getNameCount();
          try {
            if (parts < 3) {
              throw new IllegalArgumentException("no project and repository in the path");
            }
            String project = requireProject(rel.getName(0).toString());
            RepositoryName repo = RepositoryName.parse(rel.subpath(1, parts - 1).toString());
            batch.put(Column.PROJECT_REPOS, Keys.of(project, repo.value()), new byte[0]);
            n++;
          } catch (OciException | IllegalArgumentException e) {
            log.atWarn().addKeyValue("file", file).addKeyValue("error", e.getMessage()).log("ignoring a malformed project marker");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read project listings under " + root, e);
      }
    }
    index.write(batch);
    return n;
  }

  private Path marker(String project, RepositoryName repo) {
    return guard.check(root.resolve(project).resolve(repo.value()).resolve(MARKER));
  }

  private static String requireProject(String project) {
    if (!RepositoryName.isComponent(project)) {
      throw new OciException(OciError.NAME_INVALID, "invalid project name: " + project);
    }
    return project;
  }
}

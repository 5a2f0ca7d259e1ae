package io.wharf.storage.bundle;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to import a bundle.
 *
 * @param project the local project that lists the imported repositories ({@code spectro-images})
 * @param name the reference ({@code --name}) for an image the bundle does not name itself, or null;
 *     Docker-normalised ({@code nginx:1.27} is {@code docker.io/library/nginx:1.27})
 */
public record ImportOptions(String project, @Nullable String name) {
  public static final String DEFAULT_PROJECT = "spectro-images";

  public ImportOptions {
    Objects.requireNonNull(project, "project");
    if (!RepositoryName.isComponent(project)) {
      throw new OciException(OciError.NAME_INVALID, "invalid project name: " + project);
    }
  }

  /** The default project and no name. */
  public static ImportOptions defaults() {
    return new ImportOptions(DEFAULT_PROJECT, null);
  }
}

package io.wharf.storage.layout;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.Digest;
import io.wharf.oci.ManifestReference;
import io.wharf.oci.RepositoryName;
import io.wharf.oci.Tag;
import java.nio.file.Path;

/**
 * The paths of the CNCF distribution filesystem layout ({@code registry/storage/paths.go}), so that
 * registry:2 or Harbor's registry can serve wharf's data folder as it is:
 *
 * <pre>
 * &lt;data&gt;/docker/registry/v2/
 *   blobs/&lt;alg&gt;/&lt;hex[0:2]&gt;/&lt;hex&gt;/data
 *   repositories/&lt;name&gt;/
 *     _layers/&lt;alg&gt;/&lt;hex&gt;/link                         -> "&lt;alg&gt;:&lt;hex&gt;"
 *     _manifests/revisions/&lt;alg&gt;/&lt;hex&gt;/link
 *     _manifests/tags/&lt;tag&gt;/current/link
 *     _manifests/tags/&lt;tag&gt;/index/&lt;alg&gt;/&lt;hex&gt;/link
 *     _uploads/&lt;id&gt;/{data,startedat}
 *   _wharf/tmp/                                         (wharf's temp files; not distribution's)
 *   _wharf/pins/&lt;name&gt;/_pins/&lt;tag or alg:hex&gt;          (pins: survive an index rebuild)
 * </pre>
 *
 * <p>Every argument is an already-validated value type, and every result passes the {@link
 * PathGuard}, so no request can name a path outside the root.
 */
public final class Layout {
  private final Path dataRoot;
  private final Path root;
  private final PathGuard guard;

  public Layout(Path dataRoot) {
    this.dataRoot = requireNonNull(dataRoot, "dataRoot").toAbsolutePath().normalize();
    this.root = this.dataRoot.resolve("docker/registry/v2");
    this.guard = new PathGuard(root);
  }

  /** The data folder given in the configuration. */
  public Path dataRoot() {
    return dataRoot;
  }

  /** {@code <data>/docker/registry/v2}. */
  public Path root() {
    return root;
  }

  public Path blobsRoot() {
    return root.resolve("blobs");
  }

  public Path repositoriesRoot() {
    return root.resolve("repositories");
  }

  public Path tmpDir() {
    return root.resolve("_wharf/tmp");
  }

  /** Pin files: one per pinned reference, kept beside the layout so a rebuilt index keeps them. */
  public Path pinsRoot() {
    return root.resolve("_wharf/pins");
  }

  /**
   * The pin file of a reference. {@code _pins} cannot be a repository component (components start
   * with a letter or digit), so a pin of tag {@code c} in {@code a/b} never meets repository {@code a/b/c}.
   */
  public Path pinFile(RepositoryName repo, ManifestReference reference) {
    return guard.check(pinsRoot().resolve(repo.value()).resolve("_pins").resolve(reference.toString()));
  }

  public Path indexDir() {
    return dataRoot.resolve("index");
  }

  public Path blobData(Digest digest) {
    return guard.check(
        blobsRoot().resolve(digest.algorithm().label()).resolve(digest.prefix()).resolve(digest.hex()).resolve("data"));
  }

  public Path repository(RepositoryName repo) {
    return guard.check(repositoriesRoot().resolve(repo.value()));
  }

  public Path layerLinkDir(RepositoryName repo, Digest digest) {
    return guard.check(
        repository(repo).resolve("_layers").resolve(digest.algorithm().label()).resolve(digest.hex()));
  }

  public Path layerLink(RepositoryName repo, Digest digest) {
    return layerLinkDir(repo, digest).resolve("link");
  }

  public Path revisionLinkDir(RepositoryName repo, Digest digest) {
    return guard.check(
        repository(repo).resolve("_manifests/revisions").resolve(digest.algorithm().label()).resolve(digest.hex()));
  }

  public Path revisionLink(RepositoryName repo, Digest digest) {
    return revisionLinkDir(repo, digest).resolve("link");
  }

  public Path tagDir(RepositoryName repo, Tag tag) {
    return guard.check(repository(repo).resolve("_manifests/tags").resolve(tag.value()));
  }

  public Path tagCurrentLink(RepositoryName repo, Tag tag) {
    return tagDir(repo, tag).resolve("current/link");
  }

  public Path tagIndexLink(RepositoryName repo, Tag tag, Digest digest) {
    return tagDir(repo, tag).resolve("index").resolve(digest.algorithm().label()).resolve(digest.hex()).resolve("link");
  }

  public Path uploadDir(RepositoryName repo, String uploadId) {
    return guard.check(repository(repo).resolve("_uploads").resolve(PathGuard.requireSafeComponent(uploadId)));
  }

  public Path uploadData(RepositoryName repo, String uploadId) {
    return uploadDir(repo, uploadId).resolve("data");
  }

  /** The path relative to the layout root, as the journal records it. */
  public String relative(Path path) {
    return root.relativize(guard.check(path)).toString();
  }

  /** The inverse of {@link #relative}, guarded: a corrupt journal cannot name a path outside. */
  public Path resolve(String relative) {
    return guard.check(root.resolve(relative));
  }
}

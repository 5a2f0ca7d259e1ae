package io.wharf.storage.bundle;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import java.util.Locale;

/**
 * The repository an image reference is stored under: {@code <host>/<path>}, the host lowercased and
 * a port written {@code _} ({@code 127.0.0.1:5000/x/y} is {@code 127.0.0.1_5000/x/y}), exactly as the
 * proxy stores what it pulls from that upstream (its {@code UpstreamConfig.hostKey}), so a mirror pull
 * of the same image finds what an import stored.
 */
final class CanonicalName {
  private CanonicalName() {}

  /**
   * @throws OciException NAME_INVALID when the reference has no host, or its host cannot be a
   *     repository name component (an IPv6 literal)
   */
  static RepositoryName repository(Reference reference) {
    if (reference.domain() == null) {
      throw new OciException(OciError.NAME_INVALID, "reference has no registry host: " + reference);
    }
    String host = reference.domain().toLowerCase(Locale.ROOT).replace(':', '_');
    try {
      return RepositoryName.parse(host + "/" + reference.path().value());
    } catch (OciException e) {
      throw new OciException(OciError.NAME_INVALID, "cannot store " + reference + " under a repository name: " + e.getMessage());
    }
  }

  /** Whether the text names a registry host ({@code ghcr.io/x/y:1}), rather than only a path or a tag. */
  static boolean isFullyQualified(String text) {
    try {
      return Reference.parse(text).domain() != null;
    } catch (OciException e) {
      return false;
    }
  }
}

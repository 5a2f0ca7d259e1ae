package io.wharf.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.ManifestReference;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.Reference;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.UpstreamConfig;
import io.wharf.proxy.config.WharfConfig;
import java.util.stream.Collectors;

/**
 * An IMAGE argument of the CLI and the admin API: a Docker-normalised reference with its host
 * ({@code nginx} is {@code docker.io/library/nginx:latest}), and where wharf stores it: the
 * repository {@code <hostKey>/<path>} of the configured upstream for that host
 * ({@code upstream.test_5000/library/alpine}) and the tag or digest.
 *
 * @param reference the normalised reference, as shown to the operator
 * @param upstream the configured upstream serving the reference's host
 * @param repository the repository as stored
 * @param manifest the tag or, when the reference has one, the digest
 */
public record ImageRef(
    Reference reference, UpstreamConfig upstream, RepositoryName repository, ManifestReference manifest) {
  public ImageRef {
    requireNonNull(reference, "reference");
    requireNonNull(upstream, "upstream");
    requireNonNull(repository, "repository");
    requireNonNull(manifest, "manifest");
  }

  /**
   * Reads an IMAGE argument.
   *
   * @throws OciException NAME_INVALID, TAG_INVALID or DIGEST_INVALID for a malformed reference,
   *     NAME_UNKNOWN when its host is not a configured upstream
   */
  public static ImageRef resolve(String text, WharfConfig config) {
    Reference normalized = Reference.parseNormalized(text);
    String host = requireNonNull(normalized.domain(), "a normalised reference has a domain");
    UpstreamConfig upstream = config.upstreamForHost(host).orElseThrow(() -> new OciException(
        OciError.NAME_UNKNOWN,
        "'" + text + "' names host '" + host + "', which is not a configured upstream (hosts: "
            + config.upstreams().stream().map(UpstreamConfig::host).collect(Collectors.joining(", "))
            + ")"));
    RepositoryName repository = RepositoryName.parse(upstream.hostKey() + "/" + normalized.path().value());
    ManifestReference manifest = normalized.digest() != null
        ? ManifestReference.of(normalized.digest())
        : ManifestReference.of(requireNonNull(normalized.tag(), "a normalised reference has a tag"));
    return new ImageRef(normalized, upstream, repository, manifest);
  }

  /** {@code docker.io/library/nginx:1.27}: how the operator names it. */
  @Override
  public String toString() {
    return reference.toString();
  }
}

package io.wharf.proxy.registry;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.manifest.Manifest;

/**
 * A manifest as stored: its exact bytes (served unchanged, their sha256 is the digest) and what
 * they say.
 */
public record StoredManifest(Manifest manifest, byte[] body) {
  public StoredManifest {
    requireNonNull(manifest, "manifest");
    requireNonNull(body, "body");
  }
}

package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A manifest as an upstream returned it: the exact bytes, their Content-Type, and the digest header
 * the upstream sent (null if none; the caller verifies the bytes against what it asked for).
 */
public record FetchedManifest(byte[] body, String mediaType, @Nullable String digestHeader) {
  public FetchedManifest {
    requireNonNull(body, "body");
    requireNonNull(mediaType, "mediaType");
  }
}

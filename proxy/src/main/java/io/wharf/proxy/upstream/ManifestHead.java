package io.wharf.proxy.upstream;

import io.wharf.oci.Digest;
import org.jspecify.annotations.Nullable;

/**
 * What an upstream said about a manifest in answer to a HEAD.
 *
 * @param digest the {@code Docker-Content-Digest}, or null when the upstream did not send one
 * @param mediaType the Content-Type
 * @param size the Content-Length, or -1
 */
public record ManifestHead(@Nullable Digest digest, String mediaType, long size) {}

package io.wharf.proxy.registry;

import io.wharf.oci.RepositoryName;

/** Where an upload session stands: its id and how many bytes it holds so far. */
public record UploadState(RepositoryName repo, String id, long offset) {}

package io.wharf.storage;

import io.wharf.oci.RepositoryName;

/** An open upload session: its id, repository and how many bytes it holds. */
public record Upload(RepositoryName repo, String id, long offset) {}

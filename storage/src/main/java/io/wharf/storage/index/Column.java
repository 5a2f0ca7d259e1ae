package io.wharf.storage.index;

import java.nio.charset.StandardCharsets;

/** The index's column families, one per kind of record. */
public enum Column {
  /** digest -> {@link BlobRecord}: every committed blob (layers, configs and manifest bytes). */
  BLOBS("blobs"),
  /** repo NUL digest -> {@link ManifestRecord}: manifests linked into a repository. */
  MANIFESTS("manifests"),
  /** repo NUL tag -> {@link TagRecord}. */
  TAGS("tags"),
  /** repo -> {@link RepositoryRecord}. */
  REPOSITORIES("repositories"),
  /** repo NUL digest -> empty: blobs linked into a repository ({@code _layers}). */
  LAYERS("layers"),
  /** repo NUL subject NUL digest -> {@link ReferrerRecord}: the referrers API. */
  REFERRERS("referrers"),
  /** upload id -> {@link UploadRecord}: open upload sessions. */
  UPLOADS("uploads"),
  /** commit id -> a journal entry: a commit whose files may be half-done (see Journal). */
  JOURNAL("journal"),
  /** repo NUL reference (a tag or a digest) -> {@link PinRecord}: images eviction never removes. */
  PINS("pins"),
  /** repo NUL manifest digest -> {@link AccessRecord}: pull statistics, flushed unsynced. */
  ACCESS("access"),
  /** project NUL repo -> empty: repositories a local project lists (imported images). */
  PROJECT_REPOS("project-repos");

  private final String familyName;

  Column(String familyName) {
    this.familyName = familyName;
  }

  public byte[] familyNameBytes() {
    return familyName.getBytes(StandardCharsets.UTF_8);
  }

  public String familyName() {
    return familyName;
  }
}

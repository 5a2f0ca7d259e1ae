package io.wharf.storage;

/**
 * One thing {@link Fsck} found wrong, and what {@code --repair} did about it.
 *
 * @param kind what is wrong
 * @param subject the path, or the index entry ({@code column key}, NUL shown as a space), it is about
 * @param detail what was seen
 * @param repair what repair did ({@code ""} when not repairing or nothing can be done)
 */
public record FsckProblem(Kind kind, String subject, String detail, String repair) {
  /** What fsck looks for. */
  public enum Kind {
    /** An indexed blob whose file is gone. */
    BLOB_MISSING(true),
    /** A blob file shorter or longer than its index entry or a manifest says: torn, never to be served. */
    BLOB_TRUNCATED(true),
    /** A blob file whose bytes do not hash to its digest (deep, or a manifest, or an orphan). */
    BLOB_CORRUPT(true),
    /** A valid blob file the index does not know. */
    ORPHAN_BLOB(true),
    /** A file that has no place in the layout, or a temp file no write is using. */
    STRAY_FILE(true),
    /** A layer, revision or tag link whose blob or manifest is not there. */
    DANGLING_LINK(true),
    /** A link folder without its link, or a link that holds something else than its path names. */
    BAD_LINK(true),
    /** A revision whose blob is not a manifest wharf can parse. */
    MANIFEST_INVALID(true),
    /** An index entry the files justify but the index lacks. */
    MISSING_ENTRY(true),
    /** An index entry no file justifies. */
    STALE_ENTRY(true),
    /** An index entry that disagrees with the files (a size, a tag's digest, a manifest's references). */
    WRONG_ENTRY(true),
    /** A pin file and the index's pins disagree. */
    PIN_MISMATCH(true),
    /**
     * A blob an image manifest references is not stored. Normal in a pull-through cache whose
     * client never fetched it (it is fetched on the next pull); not damage.
     */
    MISSING_REFERENCE(false);

    private final boolean damage;

    Kind(boolean damage) {
      this.damage = damage;
    }

    /** Whether this is damage (as opposed to a state a cache may legitimately be in). */
    public boolean damage() {
      return damage;
    }
  }
}

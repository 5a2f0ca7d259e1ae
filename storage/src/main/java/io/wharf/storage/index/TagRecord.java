package io.wharf.storage.index;

/**
 * A tag: the digest it points at, when that was written and when it was last confirmed (epoch
 * millis; the pull-through cache checks tags against upstream after their TTL).
 */
public record TagRecord(String digest, long updatedAt, long checkedAt) {}

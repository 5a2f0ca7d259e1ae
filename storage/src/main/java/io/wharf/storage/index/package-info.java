/**
 * The RocksDB index over the files: its column families, key encodings and value records. It is
 * rebuildable from the files; it is written with a synced batch only when content is committed.
 */
@NullMarked
package io.wharf.storage.index;

import org.jspecify.annotations.NullMarked;

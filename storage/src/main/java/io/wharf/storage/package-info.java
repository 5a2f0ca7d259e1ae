/**
 * Content-addressed storage on local disk: the public API the daemon uses (blobs, uploads,
 * manifests, tags, repositories), files in the CNCF distribution layout as the truth and a RocksDB
 * index beside them. Nothing here knows HTTP.
 */
@NullMarked
package io.wharf.storage;

import org.jspecify.annotations.NullMarked;

/**
 * The CNCF distribution filesystem layout, the guard that keeps every path under the data root,
 * and the durable file primitives (temp file, fsync, atomic rename, fsync of the directory).
 */
@NullMarked
package io.wharf.storage.layout;

import org.jspecify.annotations.NullMarked;

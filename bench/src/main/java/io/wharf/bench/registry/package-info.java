/** The OCI distribution API calls the bench makes besides its loads: pushes, deletes, paths. */
@NullMarked
package io.wharf.bench.registry;

import org.jspecify.annotations.NullMarked;

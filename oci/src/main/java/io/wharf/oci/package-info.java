/**
 * The OCI distribution vocabulary with no I/O: digests, repository names, tags and references,
 * and the one error type every layer throws ({@link io.wharf.oci.OciException}).
 */
@NullMarked
package io.wharf.oci;

import org.jspecify.annotations.NullMarked;

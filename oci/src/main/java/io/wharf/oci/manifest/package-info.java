/**
 * Manifests and indexes: media types, descriptors, and the parser that says what a manifest
 * references (config, layers, child manifests, subject).
 */
@NullMarked
package io.wharf.oci.manifest;

import org.jspecify.annotations.NullMarked;

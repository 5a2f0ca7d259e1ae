/**
 * The distribution API ({@code /v2/}): {@link io.wharf.proxy.route.Router} turns a request into a
 * {@link io.wharf.proxy.route.Route}, and one class per resource answers it, one method per verb:
 * it validates with the oci types, calls one service of {@link io.wharf.proxy.registry.Registry}
 * and writes through {@link io.wharf.proxy.route.http.Exchange}. Routes never touch files or the
 * index, and never format an error: they throw {@link io.wharf.oci.OciException}.
 */
@NullMarked
package io.wharf.proxy.route;

import org.jspecify.annotations.NullMarked;

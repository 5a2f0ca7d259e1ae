/**
 * The services routes call, one interface per resource of the distribution API, and the
 * {@code Local*} implementations over storage. Whether a repository is local or proxied is decided
 * when a service is picked, never in a route.
 */
@NullMarked
package io.wharf.proxy.registry;

import org.jspecify.annotations.NullMarked;

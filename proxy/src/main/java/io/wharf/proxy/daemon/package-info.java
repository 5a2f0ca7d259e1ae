/**
 * The daemon assembled: storage, upstream clients with their breakers, the pull-through registry,
 * metrics and the HTTP server, started in order and stopped in reverse.
 */
@NullMarked
package io.wharf.proxy.daemon;

import org.jspecify.annotations.NullMarked;

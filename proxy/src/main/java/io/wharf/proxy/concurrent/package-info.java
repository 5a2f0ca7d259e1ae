/** Executors the server and the pull-through cache share: ordered lanes on shared thread pools. */
@NullMarked
package io.wharf.proxy.concurrent;

import org.jspecify.annotations.NullMarked;

/**
 * The Netty server: {@link io.wharf.proxy.server.WharfServer} (bootstrap, epoll or NIO, bind,
 * graceful stop), the pipeline {@code ServerInitializer} builds (HTTP codec with limits, idle
 * timeout, access log, upload flow control, route handler) and {@code ErrorResponder}, the only
 * place an exception becomes a response.
 */
@NullMarked
package io.wharf.proxy.server;

import org.jspecify.annotations.NullMarked;

/** A lean HTTP/1.1 client on Netty for load generation: keep-alive connections, bodies counted, not kept. */
@NullMarked
package io.wharf.bench.http;

import org.jspecify.annotations.NullMarked;

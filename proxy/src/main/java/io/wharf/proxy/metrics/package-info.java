/**
 * What {@code /metrics} shows: {@link io.wharf.proxy.metrics.WharfMetrics} owns the Prometheus
 * registry and declares every meter name once, and the rest of the daemon records through its
 * methods (requests served, cache hits and misses, stale serves, upstream requests and bytes,
 * in-flight fetches, breaker states), never by naming a meter itself.
 */
@NullMarked
package io.wharf.proxy.metrics;

import org.jspecify.annotations.NullMarked;

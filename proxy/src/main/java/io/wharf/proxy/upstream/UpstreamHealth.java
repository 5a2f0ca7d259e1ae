package io.wharf.proxy.upstream;

/**
 * What the cache tells an upstream's circuit breaker, and asks it. Only failures of the upstream
 * itself count (connect failures, timeouts, 5xx), never a 404. {@link CircuitBreaker} is the one
 * implementation.
 */
public interface UpstreamHealth {
  /** False while the upstream is known to be down: serve local content at once, do not dial. */
  boolean allowRequest();

  void recordSuccess();

  void recordFailure();
}

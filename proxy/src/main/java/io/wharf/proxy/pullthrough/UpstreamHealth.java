package io.wharf.proxy.pullthrough;

/**
 * What the cache tells an upstream's circuit breaker, and asks it. Only failures of the upstream
 * itself count (connect failures, timeouts, 5xx), never a 404.
 */
public interface UpstreamHealth {
  /** A health that never refuses, for upstreams without a breaker. */
  UpstreamHealth ALWAYS = new UpstreamHealth() {
    @Override
    public boolean allowRequest() {
      return true;
    }

    @Override
    public void recordSuccess() {}

    @Override
    public void recordFailure() {}
  };

  /** False while the upstream is known to be down: serve local content at once, do not dial. */
  boolean allowRequest();

  void recordSuccess();

  void recordFailure();
}

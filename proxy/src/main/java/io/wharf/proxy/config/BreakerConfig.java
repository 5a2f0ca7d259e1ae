package io.wharf.proxy.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The circuit breaker each upstream has: after {@code failureThreshold} failures in a row (connect
 * failures, read timeouts, 5xx) it opens, cached content is served with no upstream attempt, and a
 * background probe tries again after {@code openFor}, doubling the wait after each failed probe up
 * to {@code maxOpenFor}.
 *
 * @param failureThreshold consecutive failures that open the breaker, at least 1
 * @param openFor how long it first stays open before a probe, longer than 0s
 * @param maxOpenFor the cap of the doubling wait between probes, at least {@code openFor}
 */
public record BreakerConfig(int failureThreshold, Duration openFor, Duration maxOpenFor) {
  public BreakerConfig {
    requireNonNull(openFor, "openFor");
    requireNonNull(maxOpenFor, "maxOpenFor");
    if (failureThreshold < 1) {
      throw ConfigException.forKey(
          "failureThreshold", failureThreshold + " is less than 1 (one failure at least)");
    }
    if (openFor.isZero() || openFor.isNegative()) {
      throw ConfigException.forKey("openFor", "must be longer than 0s");
    }
    if (maxOpenFor.compareTo(openFor) < 0) {
      throw ConfigException.forKey(
          "maxOpenFor",
          Durations.format(maxOpenFor)
              + " is shorter than openFor ("
              + Durations.format(openFor)
              + ")");
    }
  }
}

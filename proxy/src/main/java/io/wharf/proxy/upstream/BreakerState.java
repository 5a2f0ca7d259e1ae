package io.wharf.proxy.upstream;

import java.util.Locale;

/** Where an upstream's {@link CircuitBreaker} stands, from healthy to offline. */
public enum BreakerState {
  /** Closed: the last counted outcome was a success, requests go upstream. */
  HEALTHY,
  /** Closed, but with consecutive failures below the threshold: requests still go upstream. */
  DEGRADED,
  /** Open: no request goes upstream until a background probe succeeds. */
  OFFLINE;

  /** The gauge value: 0 healthy, 1 degraded, 2 offline. */
  public int level() {
    return ordinal();
  }

  /** The lower-case name used in {@code /readyz} and metric labels ({@code healthy}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

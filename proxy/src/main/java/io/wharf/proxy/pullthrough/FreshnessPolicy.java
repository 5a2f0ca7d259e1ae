package io.wharf.proxy.pullthrough;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the cache treats upstream time: how long a tag check may take before the cached copy is
 * served, how long an upstream 404 is remembered, and how long a manifest fetch may take.
 */
public record FreshnessPolicy(Duration tagCheckTimeout, Duration negativeCacheTtl, Duration fetchTimeout) {
  public FreshnessPolicy {
    requireNonNull(tagCheckTimeout, "tagCheckTimeout");
    requireNonNull(negativeCacheTtl, "negativeCacheTtl");
    requireNonNull(fetchTimeout, "fetchTimeout");
  }
}

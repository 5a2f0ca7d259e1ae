package io.wharf.bench.scenario;

import static java.util.Objects.requireNonNull;

import io.wharf.bench.measure.ProcessTree;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * One system measured: it serves the OCI URL scheme under the upstream's repository names.
 *
 * @param name the column name
 * @param url the base URL ({@code http://127.0.0.1:5000})
 * @param process its server process (with children), or null if no pid was given
 * @param role what it does with a request: serve what it holds, pull through and keep, or forward
 */
public record Target(String name, URI url, @Nullable ProcessTree process, Role role) {

  /** What a target does with a request, which decides the scenarios it runs in. */
  public enum Role {
    /** Serves what it holds (nginx, the upstream registry): the warm scenarios only. */
    ORIGIN,
    /** Pulls through the upstream and keeps what it pulled (a cache): every scenario. */
    PROXY,
    /**
     * Forwards every request to the upstream and keeps nothing (nginx proxy_pass): cold-pull only,
     * as the floor any proxy stands on, since it pays the extra hop and nothing else.
     */
    RELAY;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Target {
    requireNonNull(name, "name");
    requireNonNull(url, "url");
    requireNonNull(role, "role");
  }

  /** Whether it pulls through the upstream and keeps what it pulled (cold-pull and herd run on these). */
  public boolean proxy() {
    return role == Role.PROXY;
  }

  /** Whether it only forwards to the upstream (measured in cold-pull alone). */
  public boolean relay() {
    return role == Role.RELAY;
  }

  @Override
  public String toString() {
    return name;
  }
}

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
 * @param proxy true if it pulls through the upstream (cold-pull and herd run only on these)
 */
public record Target(String name, URI url, @Nullable ProcessTree process, boolean proxy) {

  public Target {
    requireNonNull(name, "name");
    requireNonNull(url, "url");
  }

  @Override
  public String toString() {
    return name;
  }
}

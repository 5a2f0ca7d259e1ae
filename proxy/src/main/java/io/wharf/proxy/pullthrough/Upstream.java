package io.wharf.proxy.pullthrough;

import static java.util.Objects.requireNonNull;

import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.config.UpstreamConfig;
import io.wharf.proxy.upstream.UpstreamClient;
import io.wharf.proxy.upstream.UpstreamHealth;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One configured upstream as the cache uses it: its config, its client and its health. Calls go
 * through {@link #call}, which refuses at once while the breaker is open and reports each outcome.
 */
public final class Upstream {
  private final UpstreamConfig config;
  private final UpstreamClient client;
  private final UpstreamHealth health;

  public Upstream(UpstreamConfig config, UpstreamClient client, UpstreamHealth health) {
    this.config = requireNonNull(config, "config");
    this.client = requireNonNull(client, "client");
    this.health = requireNonNull(health, "health");
  }

  public UpstreamConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  public UpstreamClient client() {
    return client;
  }

  public UpstreamHealth health() {
    return health;
  }

  /** The repository as the upstream knows it: the canonical name without its host component. */
  public static String remoteName(RepositoryName canonical) {
    String v = canonical.value();
    return v.substring(v.indexOf('/') + 1);
  }

  /**
   * Runs one upstream call, waiting at most {@code deadline}, and reports the outcome to the
   * breaker: success for any answer (a 404 is an answer), failure for UNAVAILABLE and timeouts.
   *
   * @throws OciException the upstream's error, or UNAVAILABLE when the breaker is open or the
   *     deadline passed
   */
  public <T> T call(Supplier<CompletableFuture<T>> request, Duration deadline) {
    if (!health.allowRequest()) {
      throw new OciException(OciError.UNAVAILABLE, "upstream " + name() + " is offline (circuit open)");
    }
    CompletableFuture<T> future = request.get();
    try {
      T value = future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      health.recordSuccess();
      return value;
    } catch (TimeoutException e) {
      health.recordFailure();
      throw new OciException(OciError.UNAVAILABLE, "upstream " + name() + " did not answer within " + deadline);
    } catch (ExecutionException | CompletionException e) {
      OciException oci = e.getCause() instanceof OciException o ? o : null;
      if (oci == null || oci.error() == OciError.UNAVAILABLE) {
        health.recordFailure();
      } else {
        health.recordSuccess();
      }
      if (oci != null) {
        throw oci;
      }
      throw new OciException(OciError.UNAVAILABLE, "upstream " + name() + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OciException(OciError.UNAVAILABLE, "interrupted while waiting for upstream " + name());
    }
  }
}

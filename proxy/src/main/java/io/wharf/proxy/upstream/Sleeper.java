package io.wharf.proxy.upstream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Waits without holding a thread: the backoff between retries. Tests record the waits instead. */
@FunctionalInterface
public interface Sleeper {
  /** Completes once {@code delay} has passed. */
  CompletableFuture<Void> sleep(Duration delay);
}

package io.wharf.proxy.upstream;

import static java.util.Objects.requireNonNull;

import io.wharf.proxy.config.BreakerConfig;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of one upstream: after {@code failureThreshold} consecutive failures it
 * opens (OFFLINE), and callers serve what they have cached at once, with no upstream attempt, so
 * a black-holed network does not cost every tag request a timeout. A background probe (a cheap
 * {@code GET /v2/}) runs after {@code openFor}, then after twice as long on each failure up to
 * {@code maxOpenFor}; its first success closes the breaker (HEALTHY). Nexus calls this auto-block.
 *
 * <p>Callers classify: connect failures, timeouts and 5xx are {@link #recordFailure()}; a 2xx is
 * {@link #recordSuccess()}; a 404 or 401 says nothing about the upstream's health and is not
 * reported. Any success resets the count, so failures interleaved with successes never open it.
 *
 * <p>Implementation notes.
 *
 * <p>Concurrency: {@link #allowRequest()} and {@link #state()} read one volatile field and never
 * lock. Every transition happens in a short section synchronized on this breaker; logging and
 * the probe call itself happen outside it.
 *
 * <p>No half-open state: while OFFLINE, requests stay refused until a probe succeeds, and
 * outcomes reported meanwhile (requests that started before it opened) are ignored, so a late
 * success cannot close it nor a late failure reschedule the probe. A probe that neither succeeds
 * nor fails within {@code probeTimeout} counts as failed; probe results are matched to their
 * attempt, so one that completes after its timeout is ignored.
 *
 * <p>Failure: if the scheduler refuses the probe (it is shutting down), the breaker stays
 * OFFLINE; that only happens when the process stops.
 */
public final class CircuitBreaker implements UpstreamHealth, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

  /**
   * When the breaker opens and how it backs off.
   *
   * @param failureThreshold consecutive counted failures that open it (at least 1)
   * @param openFor the wait before the first probe
   * @param maxOpenFor the cap on the wait, which doubles after each failed probe
   * @param probeTimeout how long a probe may run before it counts as failed
   */
  public record Settings(int failureThreshold, Duration openFor, Duration maxOpenFor, Duration probeTimeout) {
    /** 5 failures, first probe after 10 s, backing off to 5 min, probes time out after 10 s. */
    public static final Settings DEFAULTS =
        new Settings(5, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(10));

    /** The configured {@code pullThrough.breaker}, with the default probe timeout. */
    public static Settings of(BreakerConfig config) {
      return new Settings(config.failureThreshold(), config.openFor(), config.maxOpenFor(), DEFAULTS.probeTimeout());
    }

    public Settings {
      requireNonNull(openFor, "openFor");
      requireNonNull(maxOpenFor, "maxOpenFor");
      requireNonNull(probeTimeout, "probeTimeout");
      if (failureThreshold < 1) {
        throw new IllegalArgumentException("failureThreshold < 1");
      }
      if (openFor.isNegative() || openFor.isZero()) {
        throw new IllegalArgumentException("openFor <= 0");
      }
      if (maxOpenFor.compareTo(openFor) < 0) {
        throw new IllegalArgumentException("maxOpenFor < openFor");
      }
      if (probeTimeout.isNegative() || probeTimeout.isZero()) {
        throw new IllegalArgumentException("probeTimeout <= 0");
      }
    }
  }

  private final String upstream;
  private final int failureThreshold;
  private final long openForNanos;
  private final long maxOpenForNanos;
  private final long probeTimeoutNanos;
  private final ScheduledExecutorService scheduler;
  private final Supplier<? extends CompletionStage<Boolean>> probe;
  private final LongSupplier nanoTime;

  private volatile BreakerState state = BreakerState.HEALTHY;

  // guarded by this
  private int failures;
  private long backoffNanos;
  private long openedAt;
  private long attempt;
  private boolean probing;
  private boolean closed;
  private @Nullable ScheduledFuture<?> nextProbe;
  private @Nullable ScheduledFuture<?> probeDeadline;

  /**
   * A breaker on the system ticker.
   *
   * @param upstream the upstream's name, for logs
   * @param scheduler runs the probe and its timeout; shared by every breaker
   * @param probe starts one cheap request upstream; completes true when the upstream answered
   */
  public CircuitBreaker(
      String upstream,
      Settings settings,
      ScheduledExecutorService scheduler,
      Supplier<? extends CompletionStage<Boolean>> probe) {
    this(upstream, settings, scheduler, probe, System::nanoTime);
  }

  /** As above, with the ticker that measures how long an outage lasted (a test's own). */
  public CircuitBreaker(
      String upstream,
      Settings settings,
      ScheduledExecutorService scheduler,
      Supplier<? extends CompletionStage<Boolean>> probe,
      LongSupplier nanoTime) {
    this.upstream = requireNonNull(upstream, "upstream");
    requireNonNull(settings, "settings");
    this.failureThreshold = settings.failureThreshold();
    this.openForNanos = settings.openFor().toNanos();
    this.maxOpenForNanos = settings.maxOpenFor().toNanos();
    this.probeTimeoutNanos = settings.probeTimeout().toNanos();
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.probe = requireNonNull(probe, "probe");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.backoffNanos = openForNanos;
  }

  /** The upstream's name. */
  public String upstream() {
    return upstream;
  }

  /** False while OFFLINE: serve what is cached, or fail, without trying the upstream. Lock-free. */
  @Override
  public boolean allowRequest() {
    return state != BreakerState.OFFLINE;
  }

  /** The current state. Lock-free. */
  public BreakerState state() {
    return state;
  }

  /** The upstream answered a request: clears a DEGRADED state. Ignored while OFFLINE. */
  @Override
  public void recordSuccess() {
    if (state != BreakerState.DEGRADED) {
      return; // HEALTHY has no failures to clear; OFFLINE waits for its probe
    }
    synchronized (this) {
      if (state != BreakerState.DEGRADED) {
        return;
      }
      failures = 0;
      state = BreakerState.HEALTHY;
    }
    log.atDebug().addKeyValue("upstream", upstream).log("upstream healthy again");
  }

  /**
   * A request failed in a way that is the upstream's fault (connect failure, timeout, 5xx): the
   * breaker degrades, and opens at the threshold. Ignored while OFFLINE.
   */
  @Override
  public void recordFailure() {
    BreakerState from;
    int count;
    synchronized (this) {
      from = state;
      if (from == BreakerState.OFFLINE || closed) {
        return;
      }
      count = ++failures;
      if (count < failureThreshold) {
        state = BreakerState.DEGRADED;
      } else {
        state = BreakerState.OFFLINE;
        openedAt = nanoTime.getAsLong();
        backoffNanos = openForNanos;
        schedule(backoffNanos);
      }
    }
    if (count >= failureThreshold) {
      log.atWarn()
          .addKeyValue("upstream", upstream)
          .addKeyValue("failures", count)
          .addKeyValue("probe_in_ms", TimeUnit.NANOSECONDS.toMillis(openForNanos))
          .log("upstream offline: serving from cache only");
    } else if (from == BreakerState.HEALTHY) {
      // DEBUG: occasional failures flap between healthy and degraded; the failures themselves
      // are logged by whoever saw them, and only going offline changes what clients get
      log.atDebug().addKeyValue("upstream", upstream).log("upstream degraded");
    }
  }

  /** Cancels a pending probe; the state stays as it is. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      cancel(nextProbe);
      cancel(probeDeadline);
      nextProbe = null;
      probeDeadline = null;
    }
  }

  @Override
  public String toString() {
    return "CircuitBreaker{" + upstream + ", " + state.label() + "}";
  }

  // called holding the lock
  private void schedule(long delayNanos) {
    try {
      nextProbe = scheduler.schedule(this::startProbe, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.atDebug().addKeyValue("upstream", upstream).log("probe not scheduled: shutting down");
    }
  }

  private void startProbe() {
    long id;
    synchronized (this) {
      if (state != BreakerState.OFFLINE || closed || probing) {
        return;
      }
      nextProbe = null;
      probing = true;
      id = ++attempt;
      try {
        probeDeadline = scheduler.schedule(
            () -> probed(id, false, "timed out"), probeTimeoutNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        probing = false;
        return; // shutting down
      }
    }
    CompletionStage<Boolean> stage;
    try {
      stage = probe.get();
    } catch (RuntimeException e) {
      probed(id, false, String.valueOf(e));
      return;
    }
    stage.whenComplete((ok, failure) ->
        probed(id, failure == null && Boolean.TRUE.equals(ok), failure == null ? "refused" : String.valueOf(failure)));
  }

  private void probed(long id, boolean ok, String why) {
    long offlineNanos;
    long next;
    synchronized (this) {
      if (closed || !probing || id != attempt) {
        return; // a result after its timeout, or the timeout after its result
      }
      probing = false;
      cancel(probeDeadline);
      probeDeadline = null;
      if (ok) {
        state = BreakerState.HEALTHY;
        failures = 0;
        backoffNanos = openForNanos;
        offlineNanos = nanoTime.getAsLong() - openedAt;
        next = 0;
      } else {
        // doubling, capped; the comparison first so a long cap never overflows
        backoffNanos = backoffNanos > maxOpenForNanos / 2 ? maxOpenForNanos : backoffNanos * 2;
        schedule(backoffNanos);
        offlineNanos = 0;
        next = backoffNanos;
      }
    }
    if (ok) {
      log.atInfo()
          .addKeyValue("upstream", upstream)
          .addKeyValue("offline_s", TimeUnit.NANOSECONDS.toSeconds(offlineNanos))
          .log("upstream back online");
    } else {
      log.atDebug()
          .addKeyValue("upstream", upstream)
          .addKeyValue("why", why)
          .addKeyValue("probe_in_ms", TimeUnit.NANOSECONDS.toMillis(next))
          .log("upstream probe failed");
    }
  }

  private static void cancel(@Nullable ScheduledFuture<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }
}

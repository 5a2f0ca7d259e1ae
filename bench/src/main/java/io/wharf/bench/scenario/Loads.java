package io.wharf.bench.scenario;

import io.wharf.bench.http.Connection;
import io.wharf.bench.http.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Closed-loop loads, one client per connection, each sending its next request when the previous
 * response is complete (as hey does): a fixed number per client, or until a deadline.
 */
final class Loads {

  private Loads() {}

  /**
   * The merged stats and the wall time of a load.
   *
   * @param stats counts, bytes and latencies of all clients
   * @param wallNanos from the first send to the last response
   */
  record Outcome(LoadStats stats, long wallNanos) {
    double seconds() {
      return wallNanos / 1e9;
    }
  }

  /** Each connection sends {@code perClient} requests back to back. */
  static Outcome fixed(List<Connection> connections, Request request, Expect expect, int perClient, Duration timeout)
      throws InterruptedException {
    return run(connections, request, expect, perClient, Long.MAX_VALUE, timeout);
  }

  /** Each connection sends requests until {@code duration} has passed; those in flight then still count. */
  static Outcome timed(List<Connection> connections, Request request, Expect expect, Duration duration)
      throws InterruptedException {
    long deadline = System.nanoTime() + duration.toNanos();
    return run(connections, request, expect, Integer.MAX_VALUE, deadline, duration.plusSeconds(120));
  }

  private static Outcome run(List<Connection> connections, Request request, Expect expect, int perClient,
      long deadline, Duration timeout) throws InterruptedException {
    var loops = new ArrayList<ClientLoop>(connections.size());
    for (Connection c : connections) {
      loops.add(new ClientLoop(c, request, expect, perClient, deadline));
    }
    long t0 = System.nanoTime();
    loops.forEach(ClientLoop::next);
    var all = CompletableFuture.allOf(loops.stream().map(l -> l.done).toArray(CompletableFuture[]::new));
    try {
      all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // closing fails whatever is still in flight, which completes the loops
      connections.forEach(Connection::close);
      try {
        all.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException ignored) {
        // counted below from what the loops recorded
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("a client loop failed outside a request", e.getCause());
    }
    var merged = new LoadStats();
    loops.forEach(l -> merged.merge(l.stats));
    long end = merged.lastEnd == 0 ? System.nanoTime() : merged.lastEnd;
    return new Outcome(merged, end - t0);
  }

  /** One client: its connection, what it sends, and when it stops. */
  private static final class ClientLoop {
    final Connection connection;
    final Request request;
    final Expect expect;
    final long deadline;
    int remaining;
    final LoadStats stats = new LoadStats();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    ClientLoop(Connection connection, Request request, Expect expect, int count, long deadline) {
      this.connection = connection;
      this.request = request;
      this.expect = expect;
      this.remaining = count;
      this.deadline = deadline;
    }

    void next() {
      if (remaining <= 0 || (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline)) {
        done.complete(null);
        return;
      }
      remaining--;
      connection.send(request).whenComplete((r, e) -> {
        if (e != null) {
          // a transport failure ends this client: the connection is gone, and a tight retry loop
          // would only measure how fast failures come
          stats.failure(e);
          done.complete(null);
          return;
        }
        stats.record(r, expect);
        next();
      });
    }
  }
}

package io.wharf.proxy.route.http;

import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;

/**
 * The direct memory that TLS sends of blob bytes may hold between them. Under TLS a file cannot
 * go zero-copy: each piece is read into direct memory and encrypted into as much again, and both
 * stay until the client has taken them. Unbounded, N slow TLS readers hold N pieces; past the JVM's
 * direct memory (64 MiB under the launcher) every allocation fails, the upstream fetches that
 * plain-HTTP clients share included. So a sender takes its piece's share of the budget before
 * reading it, and past the budget it waits, first come first served, until others give back.
 *
 * <p>A share is granted to a waiter on the thread that gave bytes back; a waiter whose connection
 * is gone declines it, and the next one is asked. A share larger than the whole budget is granted
 * when nothing else is held, so no request waits forever. Thread-safe.
 */
public final class TlsSendBudget {
  /** The least budget, whatever the direct memory: a few TLS senders always go at once. */
  static final long MIN_CAPACITY = 4L * 1024 * 1024;

  private static final TlsSendBudget JVM = new TlsSendBudget(
      Math.max(MIN_CAPACITY, PlatformDependent.maxDirectMemory() / 2));

  /** A sender waiting for its share. */
  public interface Waiter {
    /**
     * Called with the share asked for, on any thread, once it is the waiter's.
     *
     * @return false to decline it (the connection is gone): the budget takes it back
     */
    boolean granted(long bytes);
  }

  private record Waiting(long bytes, Waiter waiter) {}

  private final long capacity;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private long held;

  TlsSendBudget(long capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  /** The budget of this JVM: half its direct memory (direct memory is one pool per JVM). */
  public static TlsSendBudget jvm() {
    return JVM;
  }

  /**
   * Takes {@code bytes} now if they fit and nobody waits; otherwise queues {@code waiter}, which is
   * granted exactly these bytes later.
   *
   * @return true when taken now (the waiter is not called)
   */
  public boolean take(long bytes, Waiter waiter) {
    synchronized (this) {
      if (queue.isEmpty() && fits(bytes)) {
        held += bytes;
        return true;
      }
      queue.add(new Waiting(bytes, waiter));
      return false;
    }
  }

  /** Returns a share (taken, or granted and accepted), and grants what now fits to the waiters. */
  public void giveBack(long bytes) {
    synchronized (this) {
      held -= bytes;
      if (held < 0) {
        held = 0;
        throw new IllegalStateException("gave back " + bytes + " bytes more than were held");
      }
    }
    grantWaiting();
  }

  /** Bytes taken and not given back (for tests and metrics). */
  public synchronized long held() {
    return held;
  }

  /** Senders waiting for a share (for tests and metrics). */
  public synchronized int waiting() {
    return queue.size();
  }

  long capacity() {
    return capacity;
  }

  private void grantWaiting() {
    while (true) {
      Waiting next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || !fits(next.bytes())) {
          return;
        }
        queue.poll();
        held += next.bytes();
      }
      // outside the lock: a waiter may give back (or take) from within
      if (!next.waiter().granted(next.bytes())) {
        synchronized (this) {
          held -= next.bytes();
        }
      }
    }
  }

  private boolean fits(long bytes) {
    return held == 0 || held + bytes <= capacity;
  }
}

package io.wharf.proxy.pullthrough;

/** What the cache reports to metrics; one implementation feeds Micrometer, tests count. */
public interface CacheEvents {
  CacheEvents NONE = new CacheEvents() {};

  default void hit(String upstream, String kind) {}

  default void miss(String upstream, String kind) {}

  default void staleServed(String upstream) {}

  default void fetchFailed(String upstream, String reason) {}

  default void upstreamBytes(String upstream, long bytes) {}
}

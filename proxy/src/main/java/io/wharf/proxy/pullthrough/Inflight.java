package io.wharf.proxy.pullthrough;

import io.wharf.oci.Digest;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.concurrent.SerialExecutor;
import io.wharf.storage.UploadStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Single flight for blob fetches: at most one upstream read per digest, across repositories, at a
 * time. The first miss elects the fetcher; every concurrent or later request joins it until it has
 * committed or failed, when its entry is removed (by identity, so a newer fetch is never removed by
 * an older one's end). This is what distribution's proxy lacks (distribution#1006, #3569).
 *
 * <p>Thread-safe.
 */
public final class Inflight {
  /** Buffers for one fetch's most are kept (32 MiB); more fetches at once allocate the rest per use. */
  private static final int POOLED_BUFFERS = (BlobFetch.MAX_UNWRITTEN + BlobFetch.MAX_LENT) / BufferPool.BUFFER_SIZE;

  private final Map<Digest, BlobFetch> fetches = new ConcurrentHashMap<>();
  private final BufferPool buffers = new BufferPool(POOLED_BUFFERS);
  private final UploadStore uploads;
  private final Executor diskWriter;
  private final CacheEvents events;

  public Inflight(UploadStore uploads, Executor diskWriter, CacheEvents events) {
    this.uploads = uploads;
    this.diskWriter = diskWriter;
    this.events = events;
  }

  /** The fetch of {@code digest} under way, or a new one into {@code repo}'s session. */
  BlobFetch fetch(Upstream upstream, RepositoryName repo, Digest digest) {
    BlobFetch fetch = fetches.computeIfAbsent(
        digest, d -> BlobFetch.start(upstream, repo, d, uploads, buffers, new SerialExecutor(diskWriter), events));
    fetch.done().whenComplete((ok, failure) -> fetches.remove(digest, fetch));
    return fetch;
  }

  /** Whether a fetch of this digest is under way: GC and eviction must leave it alone. */
  public boolean isFetching(Digest digest) {
    return fetches.containsKey(digest);
  }

  /** How many blob fetches are under way: a gauge. */
  public int size() {
    return fetches.size();
  }
}

package io.wharf.proxy.pullthrough;

import io.wharf.oci.Digest;
import io.wharf.oci.OciError;
import io.wharf.oci.OciException;
import io.wharf.oci.RepositoryName;
import io.wharf.proxy.registry.BlobContent;
import io.wharf.proxy.registry.GrowingBlob;
import io.wharf.proxy.upstream.BlobSink;
import io.wharf.storage.BlobInfo;
import io.wharf.storage.Upload;
import io.wharf.storage.UploadStore;
import io.wharf.storage.UploadWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream read of one blob into an upload session of its canonical repository, followed by
 * any number of readers while it grows, then verified and committed by storage.
 *
 * <p>Implementation notes.
 *
 * <p>Lifetime: owned by {@link Inflight}, not by any request; a client that disconnects only stops
 * following. The upstream client's read timeout bounds a stalled fetch.
 *
 * <p>Concurrency: the upstream client hands chunks one at a time and reads the next only when the
 * previous write completed; writes run on {@code diskWriter}, off the network event loop. {@code
 * written} is published after each write, then progress listeners run.
 *
 * <p>Failure: a dropped connection resumes with a Range request from what is written, up to
 * {@link #MAX_RESUMES} times. Anything else, and a digest or size mismatch found at commit, cancels
 * the session (its file is deleted), fails {@link #done()}, and so closes every follower's
 * connection; the next request starts a new fetch. Followers never get the last byte before the
 * commit verified the digest ({@link #written()}): a client that had every byte of a response
 * could not be told that they were wrong.
 */
final class BlobFetch implements GrowingBlob {
  private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);
  static final int MAX_RESUMES = 3;
  /** Bytes copied and waiting for the disk, per fetch: bounds memory while reads run ahead. */
  static final int MAX_QUEUED = 2 * 1024 * 1024;

  private final Upstream upstream;
  private final RepositoryName repo;
  private final Digest digest;
  private final UploadStore uploads;
  private final Executor diskWriter;
  private final CacheEvents events;
  private final Upload session;
  private final UploadWriter writer;
  private final CompletableFuture<Long> size = new CompletableFuture<>();
  private final CompletableFuture<BlobContent> done = new CompletableFuture<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile long written;
  private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
  private volatile @org.jspecify.annotations.Nullable RuntimeException failedWrite;
  private int resumes;

  private BlobFetch(
      Upstream upstream, RepositoryName repo, Digest digest, UploadStore uploads, Executor diskWriter, CacheEvents events) {
    this.upstream = upstream;
    this.repo = repo;
    this.digest = digest;
    this.uploads = uploads;
    this.diskWriter = diskWriter;
    this.events = events;
    this.session = uploads.start(repo);
    this.writer = uploads.open(repo, session.id(), -1);
  }

  /** Starts fetching {@code digest} from {@code upstream} into a session of {@code repo}. */
  static BlobFetch start(
      Upstream upstream, RepositoryName repo, Digest digest, UploadStore uploads, Executor diskWriter, CacheEvents events) {
    if (!upstream.health().allowRequest()) {
      throw new OciException(OciError.UNAVAILABLE, "upstream " + upstream.name() + " is offline (circuit open)");
    }
    BlobFetch fetch = new BlobFetch(upstream, repo, digest, uploads, diskWriter, events);
    fetch.request(0);
    return fetch;
  }

  Digest digest() {
    return digest;
  }

  @Override
  public Path file() {
    return writer.file();
  }

  /**
   * What followers may send: every byte written, except the blob's last one until the commit has
   * verified the digest; on a mismatch their connections are then closed short of the end.
   */
  @Override
  public long written() {
    long w = written;
    if (done.isDone() && !done.isCompletedExceptionally()) {
      return w;
    }
    long total = size.isDone() && !size.isCompletedExceptionally() ? size.getNow(-1L) : -1;
    return total > 0 && w >= total ? total - 1 : w;
  }

  @Override
  public CompletableFuture<Long> size() {
    return size;
  }

  @Override
  public CompletableFuture<BlobContent> done() {
    return done;
  }

  @Override
  public void onProgress(Runnable listener) {
    listeners.add(listener);
    if (done.isDone()) {
      notifyListeners();
    }
  }

  private void request(long offset) {
    upstream.client()
        .getBlob(Upstream.remoteName(repo), digest, offset, new Sink())
        .whenCompleteAsync((ok, failure) -> ended(failure), diskWriter);
  }

  private void ended(Throwable failure) {
    if (failure == null) {
      upstream.health().recordSuccess();
      commit();
      return;
    }
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    boolean unavailable = !(cause instanceof OciException oci) || oci.error() == OciError.UNAVAILABLE;
    if (unavailable) {
      upstream.health().recordFailure();
    }
    if (unavailable && written > 0 && resumes < MAX_RESUMES && upstream.health().allowRequest()) {
      resumes++;
      log.atInfo().addKeyValue("digest", digest).addKeyValue("offset", written).addKeyValue("upstream", upstream.name())
          .log("upstream blob read dropped; resuming with a Range request");
      request(written);
      return;
    }
    // bytes came and the rest could not be had: the body ended early (FetchFailure.TRUNCATED)
    fail(cause instanceof OciException oci ? oci
        : new OciException(OciError.UNAVAILABLE, "upstream blob fetch failed: " + cause, cause),
        written > 0 ? "truncated" : "upstream_error");
  }

  private void commit() {
    try {
      long expected = size.isDone() ? size.join() : -1;
      writer.close();
      RuntimeException writeFailure = failedWrite;
      if (writeFailure != null) {
        fail(writeFailure instanceof OciException oci ? oci
            : new OciException(OciError.UNAVAILABLE, "cannot write blob " + digest + ": " + writeFailure.getMessage(), writeFailure),
            "upstream_error");
        return;
      }
      if (expected >= 0 && written != expected) {
        uploads.cancel(repo, session.id());
        fail(new OciException(OciError.UNAVAILABLE, "upstream blob " + digest + " ended at " + written + " of " + expected + " bytes"), "truncated");
        return;
      }
      BlobInfo blob = uploads.complete(repo, session.id(), digest);
      // an upstream that sent no Content-Length: the requests waiting for the size get it now
      size.complete(blob.size());
      done.complete(new BlobContent(blob.digest(), blob.size(), blob.path()));
      notifyListeners();
    } catch (OciException e) {
      // complete() discarded the session on a digest mismatch: nothing unverified was kept. The
      // client asked for nothing invalid (DIGEST_INVALID would say so): the upstream failed it.
      if (e.error() == OciError.DIGEST_INVALID) {
        fail(new OciException(OciError.UNAVAILABLE, "upstream sent a blob that is not " + digest + ": " + e.getMessage(), e),
            "digest_mismatch");
      } else {
        fail(e, "upstream_error");
      }
    } catch (RuntimeException e) {
      fail(new OciException(OciError.UNAVAILABLE, "cannot commit blob " + digest + ": " + e.getMessage(), e), "upstream_error");
    }
  }

  private void fail(OciException e, String reason) {
    writer.close();
    try {
      uploads.cancel(repo, session.id());
    } catch (OciException gone) {
      // already discarded by a failed complete()
    }
    events.fetchFailed(upstream.name(), reason);
    log.atWarn().addKeyValue("digest", digest).addKeyValue("upstream", upstream.name()).addKeyValue("reason", reason)
        .log("blob fetch failed: " + e.getMessage());
    size.completeExceptionally(e);
    done.completeExceptionally(e);
    notifyListeners();
  }

  private void notifyListeners() {
    for (Runnable r : listeners) {
      listeners.remove(r);
      r.run();
    }
  }

  /** Receives the upstream body: writes each chunk on the disk thread, then asks for the next. */
  private final class Sink implements BlobSink {
    @Override
    public void begin(long start, long total) {
      if (start != written) {
        // the upstream ignored our Range: starting over would need a truncate; fail and refetch
        throw new OciException(OciError.UNAVAILABLE, "upstream answered from byte " + start + ", expected " + written);
      }
      if (total >= 0) {
        size.complete(total);
      }
    }

    @Override
    public CompletionStage<Void> write(ByteBuffer chunk) {
      int n = chunk.remaining();
      if (queued.get() + n > MAX_QUEUED) {
        // the disk is behind: write this chunk in place and let the upstream read wait for it
        return CompletableFuture.runAsync(() -> append(chunk, n), diskWriter);
      }
      // a copy lets the next socket read start while the disk writes this one: one round trip per
      // chunk between the network and the disk thread was most of a cold pull's time
      ByteBuffer copy = ByteBuffer.allocate(n).put(chunk).flip();
      queued.addAndGet(n);
      diskWriter.execute(() -> {
        try {
          append(copy, n);
        } finally {
          queued.addAndGet(-n);
        }
      });
      return CompletableFuture.completedFuture(null);
    }

    private void append(ByteBuffer bytes, int n) {
      if (failedWrite != null) {
        return;
      }
      try {
        writer.write(bytes);
      } catch (RuntimeException e) {
        // surfaces when the body ends: commit() sees a short file, or ended() the failure
        failedWrite = e;
        return;
      }
      written += n;
      events.upstreamBytes(upstream.name(), n);
      notifyListeners();
    }
  }
}

package io.wharf.proxy.pullthrough;

import io.netty.buffer.ByteBuf;
import io.wharf.oci.Digest;
import io.wharf.oci.DigestAlgorithm;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
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
 * <p>Pipeline: each chunk the upstream client reads is copied on that network thread into a
 * buffer of the {@link BufferPool} (so the socket's buffer goes back to Netty at once, and the
 * memory held stays the same memory), hashed there while it is in cache, kept in {@link
 * PendingChunks}, and written to the temp file by {@code diskWriter} (serial per fetch) in
 * gathering writes of what queued meanwhile. Readers ahead of the disk borrow those buffers (no
 * copy, no wait for the disk); readers behind it read the file. Three threads share the work:
 * network and hash, disk, and each reader's own event loop.
 *
 * <p>Memory: at most {@link #MAX_UNWRITTEN} bytes wait for the disk (past it the upstream read
 * waits, by the stage {@link Sink#write} returns), and readers borrow at most {@link #MAX_LENT}
 * more between them; never a whole blob.
 *
 * <p>Verification: the hash of the received bytes is compared with the digest as soon as the
 * body ended, before the disk has caught up; until then readers never get the blob's last byte
 * ({@link #sendable}), so a client whose bytes were wrong cannot complete its download. Storage
 * verifies the same hash again when it commits (fsync, rename, index), which readers do not wait
 * for.
 *
 * <p>Failure: a dropped connection resumes with a Range request from what was received, up to
 * {@link #MAX_RESUMES} times. Anything else, a failed disk write, and a digest or size mismatch
 * cancel the session (its file is deleted), fail {@link #done()}, and so close every follower's
 * connection; the next request starts a new fetch.
 */
final class BlobFetch implements GrowingBlob {
  private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);
  static final int MAX_RESUMES = 3;
  /** Received bytes that may wait for the disk, per fetch, before the upstream read waits. */
  static final int MAX_UNWRITTEN = 16 * 1024 * 1024;
  /** Received bytes that readers may hold between them while writing them to their clients. */
  static final int MAX_LENT = 16 * 1024 * 1024;
  /** Chunks written in one gathering write, at most (IOV_MAX is 1024). */
  private static final int MAX_GATHER = 256;
  private static final CompletableFuture<Void> FAILED_WRITE =
      CompletableFuture.failedFuture(new OciException(OciError.UNAVAILABLE, "blob fetch stopped"));

  private final Upstream upstream;
  private final RepositoryName repo;
  private final Digest digest;
  private final UploadStore uploads;
  private final Executor diskWriter;
  private final CacheEvents events;
  private final Upload session;
  private final UploadWriter writer;
  private final BufferPool buffers;
  private final PendingChunks pending = new PendingChunks(MAX_UNWRITTEN, 0);
  /** The pool buffer received bytes are copied into; touched by the network thread of the request. */
  private @Nullable ByteBuf filling;
  private final CompletableFuture<Long> size = new CompletableFuture<>();
  private final CompletableFuture<BlobContent> done = new CompletableFuture<>();
  private final AtomicLong lent = new AtomicLong();
  /** A reader was refused a loan for the budget since the last one was given back. */
  private volatile boolean starved;
  /** A drain is queued on the disk writer and has not started taking chunks yet. */
  private final AtomicBoolean drainQueued = new AtomicBoolean();
  private final Object progressLock = new Object();
  /** Guarded by progressLock. */
  private List<Runnable> listeners = new ArrayList<>();
  /** Guarded by progressLock. */
  private long progress;
  /** Bytes received and hashed; written by the network thread of the current request only. */
  private volatile long received;
  /** Bytes in the file; written by the disk writer only. */
  private volatile long written;
  private volatile boolean verified;
  /** The fetch has failed or a write did: no more chunks are taken. */
  private volatile boolean stopped;
  private volatile @Nullable RuntimeException failedWrite;
  private int resumes;

  private BlobFetch(Upstream upstream, RepositoryName repo, Digest digest, UploadStore uploads, BufferPool buffers,
      Executor diskWriter, CacheEvents events) {
    this.upstream = upstream;
    this.buffers = buffers;
    this.repo = repo;
    this.digest = digest;
    this.uploads = uploads;
    this.diskWriter = diskWriter;
    this.events = events;
    this.session = uploads.start(repo);
    this.writer = uploads.open(repo, session.id(), -1);
  }

  /**
   * Starts fetching {@code digest} from {@code upstream} into a session of {@code repo}.
   *
   * @param buffers where received bytes are kept until the disk has them
   * @param diskWriter runs one task at a time, in order: this fetch's writes and its end
   */
  static BlobFetch start(Upstream upstream, RepositoryName repo, Digest digest, UploadStore uploads, BufferPool buffers,
      Executor diskWriter, CacheEvents events) {
    if (!upstream.health().allowRequest()) {
      throw new OciException(OciError.UNAVAILABLE, "upstream " + upstream.name() + " is offline (circuit open)");
    }
    BlobFetch fetch = new BlobFetch(upstream, repo, digest, uploads, buffers, diskWriter, events);
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

  @Override
  public long written() {
    return written;
  }

  @Override
  public long sendable() {
    long r = received;
    if (verified) {
      return r;
    }
    long total = size.isDone() && !size.isCompletedExceptionally() ? size.getNow(-1L) : -1;
    long lastByte = total >= 0 ? total - 1 : r - 1; // of unknown length: whichever byte came last
    return Math.max(0, Math.min(r, lastByte));
  }

  @Override
  public @Nullable ByteBuf borrow(long position, int max) {
    long budget = MAX_LENT - lent.get();
    if (budget <= 0) {
      starved = true; // the next giveBack wakes the readers
      budget = MAX_LENT - lent.get(); // one given back before the flag was up did not
      if (budget <= 0) {
        return null;
      }
    }
    long n = Math.min(Math.min(max, budget), sendable() - position);
    if (n <= 0) {
      return null;
    }
    ByteBuf slice = pending.borrow(position, (int) n);
    if (slice != null) {
      lent.addAndGet(slice.readableBytes());
    }
    return slice;
  }

  @Override
  public void giveBack(int bytes) {
    lent.addAndGet(-bytes);
    if (starved) {
      starved = false;
      changed(); // only readers refused for the budget wait for this, and only then is it worth a wake-up
    }
  }

  @Override
  public long progress() {
    synchronized (progressLock) {
      return progress;
    }
  }

  @Override
  public void onProgress(long seen, Runnable listener) {
    synchronized (progressLock) {
      if (progress == seen) {
        listeners.add(listener);
        return;
      }
    }
    listener.run();
  }

  @Override
  public CompletableFuture<Long> size() {
    return size;
  }

  @Override
  public CompletableFuture<BlobContent> done() {
    return done;
  }

  private void changed() {
    List<Runnable> toRun;
    synchronized (progressLock) {
      progress++;
      if (listeners.isEmpty()) {
        return;
      }
      toRun = listeners;
      listeners = new ArrayList<>();
    }
    for (Runnable r : toRun) {
      r.run();
    }
  }

  private void request(long offset) {
    upstream.client()
        .getBlob(Upstream.remoteName(repo), digest, offset, new Sink())
        .whenComplete((ok, failure) -> ended(failure));
  }

  /** The upstream body ended (on a callback thread: every chunk was hashed and queued before). */
  private void ended(@Nullable Throwable failure) {
    ByteBuf last = filling;
    filling = null; // a resume starts a new buffer: the chunks queued keep this one
    if (last != null) {
      last.release();
    }
    if (failure == null) {
      upstream.health().recordSuccess();
      verify();
      return;
    }
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    RuntimeException writeFailure = failedWrite;
    if (writeFailure != null) {
      diskWriter.execute(() -> fail(unavailable("cannot write blob " + digest, writeFailure), "upstream_error"));
      return;
    }
    boolean unavailable = !(cause instanceof OciException oci) || oci.error() == OciError.UNAVAILABLE;
    if (unavailable) {
      upstream.health().recordFailure();
    }
    if (unavailable && received > 0 && resumes < MAX_RESUMES && upstream.health().allowRequest()) {
      resumes++;
      log.atInfo().addKeyValue("digest", digest).addKeyValue("offset", received).addKeyValue("upstream", upstream.name())
          .log("upstream blob read dropped; resuming with a Range request");
      request(received);
      return;
    }
    // bytes came and the rest could not be had: the body ended early (FetchFailure.TRUNCATED)
    OciException error = cause instanceof OciException oci ? oci
        : new OciException(OciError.UNAVAILABLE, "upstream blob fetch failed: " + cause, cause);
    String reason = received > 0 ? "truncated" : "upstream_error";
    diskWriter.execute(() -> fail(error, reason));
  }

  /** Compares the hash of what arrived with the digest; then readers may have the last byte. */
  private void verify() {
    long expected = size.isDone() && !size.isCompletedExceptionally() ? size.join() : -1;
    if (expected >= 0 && received != expected) {
      diskWriter.execute(() -> fail(new OciException(OciError.UNAVAILABLE,
          "upstream blob " + digest + " ended at " + received + " of " + expected + " bytes"), "truncated"));
      return;
    }
    if (digest.algorithm() == DigestAlgorithm.SHA256) {
      Digest actual = writer.hashedDigest();
      if (!actual.equals(digest)) {
        // the client asked for nothing invalid (DIGEST_INVALID would say so): the upstream failed it
        diskWriter.execute(() -> fail(new OciException(OciError.UNAVAILABLE,
            "upstream sent a blob that is not " + digest + ": its bytes hash to " + actual), "digest_mismatch"));
        return;
      }
      verified();
    } // else (sha512): storage hashes the file when it commits, and readers wait for that
    diskWriter.execute(this::commit); // after every write queued before it
  }

  private void verified() {
    verified = true;
    // an upstream that sent no Content-Length: the requests waiting for the size get it now
    size.complete(received);
    changed();
  }

  /** Writes what waits for the disk; runs on the disk writer. */
  private void drain() {
    drainQueued.set(false); // before looking: a chunk added from now on queues another drain
    List<ByteBuf> front;
    while (!(front = pending.unwritten(MAX_GATHER)).isEmpty()) {
      long n = 0;
      ByteBuffer[] nio = new ByteBuffer[front.size()];
      for (int i = 0; i < nio.length; i++) {
        ByteBuf c = front.get(i);
        n += c.readableBytes();
        nio[i] = c.nioBuffer();
      }
      if (failedWrite == null && !stopped) {
        try {
          writer.appendHashed(nio);
          written += n;
        } catch (RuntimeException e) {
          // the upstream read stops at its next chunk; ended() reports this failure
          failedWrite = e;
          stopped = true;
        }
      }
      // no wake-up: a reader never waits for the disk, it reads the file up to written() or
      // borrows what is not written yet
      pending.written(front.size());
    }
  }

  private void commit() {
    try {
      writer.close();
      RuntimeException writeFailure = failedWrite;
      if (writeFailure != null) {
        fail(unavailable("cannot write blob " + digest, writeFailure), "upstream_error");
        return;
      }
      // storage hashes nothing again: it checks that its hash saw every written byte, compares
      // it with the digest, fsyncs, renames and commits the index entry
      BlobInfo blob = uploads.complete(repo, session.id(), digest);
      if (!verified) {
        verified();
      }
      done.complete(new BlobContent(blob.digest(), blob.size(), blob.path()));
      changed();
    } catch (OciException e) {
      fail(e.error() == OciError.DIGEST_INVALID
          ? new OciException(OciError.UNAVAILABLE, "upstream sent a blob that is not " + digest + ": " + e.getMessage(), e)
          : e, e.error() == OciError.DIGEST_INVALID ? "digest_mismatch" : "upstream_error");
    } catch (RuntimeException e) {
      fail(unavailable("cannot commit blob " + digest, e), "upstream_error");
    }
  }

  private void fail(OciException e, String reason) {
    stopped = true;
    pending.close();
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
    changed();
  }

  private static OciException unavailable(String what, RuntimeException cause) {
    return cause instanceof OciException oci ? oci
        : new OciException(OciError.UNAVAILABLE, what + ": " + cause.getMessage(), cause);
  }

  /** Receives the upstream body on its network thread: hashes each chunk, queues it for the disk. */
  private final class Sink implements BlobSink {
    @Override
    public void begin(long start, long total) {
      if (start != received) {
        // the upstream ignored our Range: starting over would need a truncate; fail and refetch
        throw new OciException(OciError.UNAVAILABLE, "upstream answered from byte " + start + ", expected " + received);
      }
      if (total >= 0) {
        requireRoom(total - start);
        size.complete(total);
      }
    }

    /**
     * Refuses a blob that cannot fit before any reader is answered, so its clients get a clean 503
     * rather than a 200 cut short. Fetches that only overflow together still fail at their write
     * (ENOSPC), with the same error for readers that have not started and the session deleted.
     */
    private void requireRoom(long bytes) {
      long free = writer.file().toFile().getUsableSpace();
      if (bytes > free) {
        OciException full = new OciException(OciError.UNAVAILABLE,
            "storage is full: blob " + digest + " needs " + bytes + " bytes, " + free + " are free");
        failedWrite = full; // the disk's failure, not the upstream's: its circuit breaker is not told
        stopped = true;
        throw full;
      }
    }

    @Override
    public CompletionStage<Void> write(ByteBuf chunk) {
      if (stopped) {
        return FAILED_WRITE;
      }
      int n = chunk.readableBytes();
      int from = chunk.readerIndex();
      int left = n;
      while (left > 0) {
        ByteBuf into = filling;
        if (into == null || !into.isWritable()) {
          if (into != null) {
            into.release(); // its slices keep it until the disk and the readers are done with them
          }
          into = buffers.take();
          filling = into;
        }
        int k = Math.min(left, into.writableBytes());
        int at = into.writerIndex();
        into.writeBytes(chunk, from, k);
        ByteBuf part = into.retainedSlice(at, k);
        writer.hash(part.nioBuffer()); // the copy that will be written is the one hashed
        pending.add(part);
        from += k;
        left -= k;
      }
      received += n;
      events.upstreamBytes(upstream.name(), n);
      if (drainQueued.compareAndSet(false, true)) {
        diskWriter.execute(BlobFetch.this::drain); // one hand-off per batch, not per socket read
      }
      changed();
      return pending.roomFor();
    }
  }
}

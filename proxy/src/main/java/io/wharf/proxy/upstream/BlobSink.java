package io.wharf.proxy.upstream;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletionStage;

/**
 * Where a streamed upstream blob body goes. Called from one thread at a time, in order.
 */
public interface BlobSink {
  /**
   * The response headers arrived.
   *
   * @param start the offset of the first byte that will follow (the Range start the upstream
   *     honoured; 0 when it answered 200 to a Range request, in which case the sink starts over)
   * @param total the whole blob's size when known (Content-Length, or Content-Range's total), else -1
   */
  void begin(long start, long total);

  /**
   * One chunk of the body, a slice of what the socket read (no copy). The buffer stays valid until
   * the returned stage completes; the client releases its own reference then, and reads the next
   * chunk only then (backpressure to the socket). A sink that keeps the bytes longer (to write
   * them later, to hand them to readers) {@code retain()}s it and releases it when done; it must
   * not change the buffer's indexes or content.
   *
   * @return completes when the sink is ready for the next chunk; an already completed stage lets
   *     the client go on reading at once
   */
  CompletionStage<Void> write(ByteBuf chunk);
}
